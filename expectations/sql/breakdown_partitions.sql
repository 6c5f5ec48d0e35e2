-- For every breakdown declared a partition (seed breakdown_partitions), the breakdown rows of each
-- area, period and statistic against the headline row: numerators (counts) and denominators sum.
with declared as (
    select * from reference.breakdown_partitions
),

figures as (
    select *, coalesce(numerator, case when unit = 'count' then value end) as amount
    from {schema}.outcome_measures
),

parts as (
    select
        figures.measure_id, figures.area_code, figures.period_type, figures.period_end, figures.period_label,
        figures.statistic, figures.breakdown,
        sum(figures.amount) as breakdown_sum,
        sum(figures.denominator) as denominator_sum,
        count(*) as breakdown_rows
    from figures
    inner join declared
        on declared.measure_id = figures.measure_id
        and (declared.statistic = figures.statistic or declared.statistic = '*')
        and declared.breakdown = figures.breakdown
    group by
        figures.measure_id, figures.area_code, figures.period_type, figures.period_end, figures.period_label,
        figures.statistic, figures.breakdown
)

select
    parts.measure_id, parts.area_code, parts.period_label, parts.statistic, parts.breakdown,
    'all' as breakdown_value,
    parts.breakdown_rows,
    total.amount as headline,
    parts.breakdown_sum,
    total.measure_id is not null as has_headline_row,
    parts.breakdown_sum - total.amount as difference,
    parts.denominator_sum - total.denominator as denominator_difference
from parts
left join figures as total
    on total.measure_id = parts.measure_id
    and total.area_code = parts.area_code
    and total.period_type = parts.period_type
    and total.period_end = parts.period_end
    and total.statistic = parts.statistic
    and total.breakdown = 'all'
    and total.breakdown_value = 'all'
