-- Every combined-area (bi-borough) row against the sum of its member boroughs: numerators (the
-- count, for counts) and denominators are pooled, so both must add up exactly. Computed rows
-- always have both boroughs; a bi-borough figure entered by hand is checked when any borough
-- figure was entered beside it (a bi-borough-only survey result has nothing to add up).
with members as (
    select combined_area_code, ons_code from reference.boroughs where combined_area_code is not null
),

member_count as (
    select combined_area_code, count(*) as members from members group by combined_area_code
),

figures as (
    select *, coalesce(numerator, case when unit = 'count' then value end) as amount
    from {schema}.outcome_measures
)

select
    bi.measure_id, bi.area_code, bi.period_type, bi.period_label, bi.statistic, bi.breakdown, bi.breakdown_value, bi.unit,
    bi.amount as biborough_numerator,
    sum(la.amount) as sum_of_boroughs,
    max(member_count.members) - count(la.amount) as boroughs_missing,
    bi.amount - sum(la.amount) as difference,
    bi.denominator - sum(la.denominator) as denominator_difference
from figures as bi
inner join member_count
    on bi.area_code = member_count.combined_area_code
left join members
    on members.combined_area_code = bi.area_code
left join figures as la
    on la.area_code = members.ons_code
    and la.measure_id = bi.measure_id
    and la.period_type = bi.period_type
    and la.period_end = bi.period_end
    and la.statistic = bi.statistic
    and la.breakdown = bi.breakdown
    and la.breakdown_value = bi.breakdown_value
where bi.amount is not null
group by
    bi.measure_id, bi.area_code, bi.period_type, bi.period_label, bi.statistic, bi.breakdown, bi.breakdown_value, bi.unit,
    bi.amount, bi.denominator, bi.value_source
having bi.value_source = 'computed' or count(la.amount) > 0
