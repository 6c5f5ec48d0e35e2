{#- Building blocks of the education models (school census, attendance, exclusions, results).
    Academic years are named by the year they end, like financial years: 2022 = 2021/22
    (1 September 2021 - 31 August 2022), matching int_reporting_periods ('AY2022'). -#}

{#- The academic year a date falls in: September onwards belongs to the next year's name. -#}
{% macro academic_year_of(date_expression) -%}
    (extract(year from {{ date_expression }}) + case when extract(month from {{ date_expression }}) >= 9 then 1 else 0 end)
{%- endmacro %}

{#- '2021/22' -> 2022. -#}
{% macro academic_year_from_label(label_expression) -%}
    ({{ try_cast('substr(' ~ label_expression ~ ', 1, 4)', 'integer') }} + 1)
{%- endmacro %}

{#- National curriculum year group as a number: nursery E1 = -2, E2 = -1, reception = 0, Year 1 =
    1 ... Year 14 = 14; X (not following the national curriculum) has none. -#}
{% macro nc_year_number(code_expression) -%}
    case {{ code_expression }}
        when 'E1' then -2
        when 'E2' then -1
        when 'R' then 0
        when 'X' then null
        else {{ try_cast(code_expression, 'integer') }}
    end
{%- endmacro %}

{#- Breakdowns of pupil-level measures: name -> expression over a pupil-year row (see
    int_pupil_years). Values are listed in education_breakdown_values so that every measure
    has a row (zero if need be) for every value, in both boroughs, and pooling never drops a
    borough. -#}
{% macro education_breakdown_expressions() -%}
    {{ return({
        'fsm': "case when is_fsm_eligible then 'eligible' else 'not_eligible' end",
        'send': "case sen_provision when 'E' then 'ehcp' when 'K' then 'sen_support' else 'no_sen' end",
        'social_care': 'social_care_group',
        'ethnicity': "coalesce(ethnicity_group, 'Not known')",
        'phase': 'phase_group',
        'eal': "case when is_eal then 'eal' else 'not_eal' end",
        'sex': "case when sex in ('M', 'F') then sex else 'U' end",
        'disadvantage': "case when is_disadvantaged then 'disadvantaged' else 'not_disadvantaged' end",
    }) }}
{%- endmacro %}

{% macro education_breakdown_values(breakdowns) -%}
    {%- set values = {
        'fsm': ['eligible', 'not_eligible'],
        'send': ['ehcp', 'sen_support', 'no_sen'],
        'social_care': ['looked_after', 'child_protection_plan', 'child_in_need', 'not_in_need'],
        'phase': ['nursery', 'primary', 'secondary', 'all_through', 'special', 'alternative_provision', 'other'],
        'eal': ['eal', 'not_eal'],
        'sex': ['F', 'M', 'U'],
        'disadvantage': ['disadvantaged', 'not_disadvantaged'],
    } -%}
    select 'all' as breakdown, 'all' as breakdown_value
    {%- for b in breakdowns %}
    {%- if b == 'ethnicity' %}
    union all
    select distinct 'ethnicity' as breakdown, census_2021_group as breakdown_value from {{ ref('ethnicity_groups') }}
    {%- else %}
    {%- for v in values[b] %}
    union all
    select '{{ b }}' as breakdown, '{{ v }}' as breakdown_value
    {%- endfor %}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Each row of `relation` once per breakdown (and once as 'all'), carrying `columns`. -#}
{% macro unpivot_education_breakdowns(relation, columns, breakdowns) -%}
    {%- set expressions = education_breakdown_expressions() -%}
    select {{ columns | join(', ') }}, 'all' as breakdown, 'all' as breakdown_value from {{ relation }}
    {%- for b in breakdowns %}
    union all
    select {{ columns | join(', ') }}, '{{ b }}' as breakdown, {{ expressions[b] }} as breakdown_value from {{ relation }}
    {%- endfor %}
{%- endmacro %}

{#- School phase of education as a breakdown value. -#}
{% macro phase_group(phase_code_expression) -%}
    case {{ phase_code_expression }}
        when 'NUR' then 'nursery'
        when 'PRI' then 'primary'
        when 'SEC' then 'secondary'
        when 'P16' then 'secondary'
        when 'ALL' then 'all_through'
        when 'SPE' then 'special'
        when 'AP' then 'alternative_provision'
        else 'other'
    end
{%- endmacro %}

{#- A date from a year expression and a fixed month and day ('08-31'). -#}
{% macro date_in_year(year_expression, month_day) -%}
    cast({{ dbt.concat([dbt.safe_cast(year_expression, dbt.type_string()), "'-" ~ month_day ~ "'"]) }} as date)
{%- endmacro %}

{#- Totals per borough, academic year and breakdown value, framed so that every borough has
    every academic year and every breakdown value (zero when nothing happened).
    `sums`: alias -> per-row numeric expression over `relation` (which needs school_la_code or
    la_code as `la_column`, and academic_year). Returns a select of la_code, period_id,
    breakdown, breakdown_value and one column per alias. -#}
{% macro academic_year_totals(relation, sums, breakdowns, la_column='school_la_code') -%}
    {%- set columns = [la_column ~ ' as la_code', 'academic_year'] -%}
    {%- for alias, expression in sums.items() -%}
        {%- do columns.append('(' ~ expression ~ ') as ' ~ alias) -%}
    {%- endfor -%}
    with frame as (
        select area.la_code, area.period_id, area.period_end, breakdowns.breakdown, breakdowns.breakdown_value
        from ({{ area_periods(['academic_year']) }}) as area
        cross join ({{ education_breakdown_values(breakdowns) }}) as breakdowns
    ),

    long as (
        {{ unpivot_education_breakdowns(relation, columns, breakdowns) }}
    ),

    totals as (
        select
            la_code,
            academic_year,
            breakdown,
            breakdown_value,
            {%- for alias in sums %}
            sum({{ alias }}) as {{ alias }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from long
        group by la_code, academic_year, breakdown, breakdown_value
    )

    select
        frame.la_code,
        frame.period_id,
        frame.breakdown,
        frame.breakdown_value,
        {%- for alias in sums %}
        coalesce(totals.{{ alias }}, 0) as {{ alias }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from frame
    left join totals
        on frame.la_code = totals.la_code
        and extract(year from frame.period_end) = totals.academic_year
        and frame.breakdown = totals.breakdown
        and frame.breakdown_value = totals.breakdown_value
{%- endmacro %}
