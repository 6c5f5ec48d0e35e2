{#- Portable SQL helpers. Engine-specific SQL lives only in macros like these, so the models
    run unchanged on DuckDB today and on Spark when volumes outgrow one machine. -#}

{#- The one try_cast shim: NULL instead of an error when a value does not convert. -#}
{% macro try_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{#- A date literal from an ISO string. -#}
{% macro date_literal(iso_date) -%}
    cast('{{ iso_date }}' as date)
{%- endmacro %}

{#- Age in whole years on a date, exact to the birthday (DfE: age at 31 March, at the start of a
    period of care, at the offence). -#}
{% macro age_at(date_of_birth, on_date) -%}
    (extract(year from {{ on_date }}) - extract(year from {{ date_of_birth }})
     - case when extract(month from {{ on_date }}) * 100 + extract(day from {{ on_date }})
                 < extract(month from {{ date_of_birth }}) * 100 + extract(day from {{ date_of_birth }})
            then 1 else 0 end)
{%- endmacro %}

{#- The financial year a date falls in, named by the year it ends (2022-04-01 -> 2023). -#}
{% macro financial_year_of(date_expression) -%}
    (extract(year from {{ date_expression }}) + case when extract(month from {{ date_expression }}) >= 4 then 1 else 0 end)
{%- endmacro %}

{#- Whether [start, end) overlaps a snapshot date: open on the day means started on or before it
    and not ended on or before it (an episode ending on 31 March is not open at 31 March). -#}
{% macro open_on(start_column, end_column, on_date) -%}
    ({{ start_column }} <= {{ on_date }} and ({{ end_column }} is null or {{ end_column }} > {{ on_date }}))
{%- endmacro %}

{#- Division that gives NULL rather than an error when the denominator is zero or missing. -#}
{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }} / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- ISO day of week, Monday = 1 ... Sunday = 7. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'outcomes_warehouse')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    ((dayofweek({{ date_expression }}) + 5) % 7 + 1)
{%- endmacro %}

{#- Quarter of the financial year: April-June = 1 ... January-March = 4. -#}
{% macro financial_quarter_of(date_expression) -%}
    (cast(floor(((extract(month from {{ date_expression }}) + 8) % 12) / 3) as integer) + 1)
{%- endmacro %}
