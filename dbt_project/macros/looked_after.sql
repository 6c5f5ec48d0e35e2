{#- Helpers of the looked-after children's and care leavers' models. -#}

{#- DfE looked-after age bands: under 1, 1-4, 5-9, 10-15, 16-17 (from an age in years, or from a
    date of birth and a date); '18 and over' only for ages at leaving care on the 18th birthday. -#}
{% macro cla_age_band_of(age) -%}
    case
        when {{ age }} is null then 'Not known'
        when {{ age }} < 1 then 'Under 1'
        when {{ age }} < 5 then '1-4'
        when {{ age }} < 10 then '5-9'
        when {{ age }} < 16 then '10-15'
        when {{ age }} < 18 then '16-17'
        else '18 and over'
    end
{%- endmacro %}

{% macro cla_age_band(date_of_birth, on_date) -%}
    {{ cla_age_band_of(age_at(date_of_birth, on_date)) }}
{%- endmacro %}

{#- UASC (or, for care leavers, former UASC) as a breakdown value. -#}
{% macro uasc_label(flag) -%}
    case when {{ flag }} then 'UASC' else 'Not UASC' end
{%- endmacro %}

{#- Placement types grouped as the councils report their placement mix. In-house foster care is
    the council's own provision (PR1); external is an agency's or another council's. -#}
{% macro placement_group(type_code, provider_code) -%}
    case
        when {{ type_code }} in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6') and {{ provider_code }} = 'PR1' then 'Foster care (in-house)'
        when {{ type_code }} in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6') then 'Foster care (external)'
        when {{ type_code }} in ('K2', 'R1', 'S1') then 'Children''s home or residential'
        when {{ type_code }} in ('H5', 'P4') then 'Semi-independent or supported accommodation'
        when {{ type_code }} = 'P2' then 'Independent living'
        when {{ type_code }} = 'P1' then 'Placed with parents'
        when {{ type_code }} in ('A3', 'A4', 'A5', 'A6') then 'Placed for adoption'
        when {{ type_code }} in ('K1', 'R5') then 'Secure or custody'
        when {{ type_code }} is null then 'Not known'
        else 'Other'
    end
{%- endmacro %}

{#- The last day of a financial year given as an integer (2023 -> 2023-03-31). -#}
{% macro financial_year_end(year_expression) -%}
    cast(cast({{ year_expression }} as varchar) || '-03-31' as date)
{%- endmacro %}

{#- Rows of `relation` repeated once per breakdown: 'all', then each column named in
    `breakdowns` as (breakdown, breakdown_value), carrying the columns in `carry`. -#}
{% macro long_breakdowns(relation, carry, breakdowns) -%}
    select {{ carry | join(', ') }}, 'all' as breakdown, 'all' as breakdown_value from {{ relation }}
    {% for b in breakdowns -%}
    union all
    select {{ carry | join(', ') }}, '{{ b }}' as breakdown, cast({{ b }} as varchar) as breakdown_value from {{ relation }}
    {% endfor %}
{%- endmacro %}

{#- Every (breakdown, breakdown_value) pair found in a long relation, and the headline. -#}
{% macro breakdown_values(long_relation) -%}
    select 'all' as breakdown, 'all' as breakdown_value
    union
    select distinct breakdown, breakdown_value from {{ long_relation }}
{%- endmacro %}
