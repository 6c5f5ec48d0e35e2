{#- Building blocks of measure models (models/marts/measures/msr_*.sql).

    Every measure model returns one row per local authority, period, statistic and breakdown:
        measure_id, la_code, period_id, statistic, breakdown, breakdown_value,
        numerator, denominator, unit
    `outcome_measures` then adds the bi-borough rows by pooling numerators and denominators
    (never averaging percentages), computes the value from the unit, and adds labels. A measure
    model never computes a percentage itself, so a value can always be traced to its counts. -#}

{#- Every authority crossed with every period of the given types: the frame that makes a
    zero a zero rather than a missing row. -#}
{% macro area_periods(period_types) -%}
    select
        periods.period_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.financial_year,
        periods.financial_quarter,
        periods.mid_year,
        periods.is_year_end_snapshot,
        boroughs.la_code
    from {{ ref('int_reporting_periods') }} as periods
    cross join {{ ref('boroughs') }} as boroughs
    where periods.period_type in ({% for t in period_types %}'{{ t }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- One statistic as a measure row. -#}
{% macro measure_row(measure_id, statistic, unit, numerator, denominator='null', breakdown="'all'", breakdown_value="'all'", relation='counted', where=none) -%}
    select
        '{{ measure_id }}' as measure_id,
        la_code,
        period_id,
        '{{ statistic }}' as statistic,
        {{ breakdown }} as breakdown,
        {{ breakdown_value }} as breakdown_value,
        cast({{ numerator }} as double) as numerator,
        cast({{ denominator }} as double) as denominator,
        '{{ unit }}' as unit
    from {{ relation }}
    {% if where %}where {{ where }}{% endif %}
{%- endmacro %}

{#- Multiplier that turns numerator / denominator into the unit. -#}
{% macro unit_scale(unit_column) -%}
    case {{ unit_column }}
        when 'percent' then 100.0
        when 'rate_per_10k' then 10000.0
        when 'rate_per_100k' then 100000.0
        when 'rate_per_1000' then 1000.0
        when 'rate_per_100' then 100.0
        else 1.0
    end
{%- endmacro %}

{#- The union of measure models, listed once in marts/outcome_measures.sql. -#}
{% macro union_measures(model_names) -%}
    {% for name in model_names -%}
    select measure_id, la_code, period_id, statistic, breakdown, breakdown_value, numerator, denominator, unit
    from {{ ref(name) }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}
{%- endmacro %}
