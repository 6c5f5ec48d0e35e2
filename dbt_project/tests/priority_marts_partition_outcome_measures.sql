-- The seven priority marts partition marts.outcome_measures: every row of priorities P1-P7 sits
-- in exactly one mart (its own priority's), and no mart holds a row outcome_measures lacks.
-- Workforce (W) rows belong to no mart. Returns the offending keys.
{%- set marts = ['priority_1_best_start', 'priority_2_education', 'priority_3_safe', 'priority_4_adulthood',
                 'priority_5_voice', 'priority_6_health', 'priority_7_grenfell'] %}
with in_marts as (
    {% for mart in marts -%}
    select '{{ mart }}' as mart, measure_id, priority, area_code, period_type, period_end, statistic, breakdown, breakdown_value
    from {{ ref(mart) }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}
),

expected as (
    select
        outcome_measures.measure_id, outcome_measures.priority, outcome_measures.area_code, outcome_measures.period_type,
        outcome_measures.period_end, outcome_measures.statistic, outcome_measures.breakdown, outcome_measures.breakdown_value,
        priorities.mart_name
    from {{ ref('outcome_measures') }} as outcome_measures
    inner join {{ ref('priorities') }} as priorities
        on outcome_measures.priority = priorities.priority
    where priorities.mart_name is not null
),

missing_or_misplaced as (
    select expected.measure_id, expected.area_code, expected.period_end, expected.statistic, 'missing from its mart' as problem
    from expected
    left join in_marts
        on expected.mart_name = in_marts.mart
        and expected.measure_id = in_marts.measure_id
        and expected.area_code = in_marts.area_code
        and expected.period_type = in_marts.period_type
        and expected.period_end = in_marts.period_end
        and expected.statistic = in_marts.statistic
        and expected.breakdown = in_marts.breakdown
        and expected.breakdown_value = in_marts.breakdown_value
    where in_marts.mart is null
),

extra as (
    select in_marts.measure_id, in_marts.area_code, in_marts.period_end, in_marts.statistic, 'in a mart but not its own' as problem
    from in_marts
    left join expected
        on in_marts.mart = expected.mart_name
        and in_marts.measure_id = expected.measure_id
        and in_marts.area_code = expected.area_code
        and in_marts.period_type = expected.period_type
        and in_marts.period_end = expected.period_end
        and in_marts.statistic = expected.statistic
        and in_marts.breakdown = expected.breakdown
        and in_marts.breakdown_value = expected.breakdown_value
    where expected.mart_name is null
)

select * from missing_or_misplaced
union all
select * from extra
