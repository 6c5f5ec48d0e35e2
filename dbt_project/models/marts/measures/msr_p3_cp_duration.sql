-- P3_CP_2YRS: child protection plans that ceased in the year having lasted two years or more
-- (ended on or after the same date two years after they started), as a share of all plans that
-- ceased; companion at each snapshot: children on a plan that started two or more years before.
with year_frame as (
    {{ area_periods(['financial_year']) }}
),

snapshot_frame as (
    {{ area_periods(['snapshot']) }}
),

plans as (
    select * from {{ ref('int_cp_plan_history') }}
),

ceased as (
    select
        year_frame.period_id,
        year_frame.la_code,
        count(plans.cp_plan_id) as plans_ceased,
        sum(case when plans.lasted_2_years_or_more then 1 else 0 end) as plans_ceased_2_years
    from year_frame
    left join plans
        on year_frame.la_code = plans.la_code
        and year_frame.financial_year = plans.end_financial_year
    group by year_frame.period_id, year_frame.la_code
),

open_at_snapshot as (
    select
        snapshot_frame.period_id,
        snapshot_frame.la_code,
        count(distinct plans.person_id) as children_on_plan,
        count(distinct case when plans.start_date <= {{ dbt.dateadd('year', -2, 'snapshot_frame.period_end') }} then plans.person_id end) as children_on_plan_2_years
    from snapshot_frame
    left join plans
        on snapshot_frame.la_code = plans.la_code
        and {{ open_on('plans.start_date', 'plans.end_date', 'snapshot_frame.period_end') }}
    group by snapshot_frame.period_id, snapshot_frame.la_code
)

{{ measure_row('P3_CP_2YRS', 'percent', 'percent', 'plans_ceased_2_years', 'plans_ceased', relation='ceased') }}
union all
{{ measure_row('P3_CP_2YRS', 'count_ceased', 'count', 'plans_ceased', relation='ceased') }}
union all
{{ measure_row('P3_CP_2YRS', 'count_open_2y_plus', 'count', 'children_on_plan_2_years', relation='open_at_snapshot') }}
union all
{{ measure_row('P3_CP_2YRS', 'pct_open_2y_plus', 'percent', 'children_on_plan_2_years', 'children_on_plan', relation='open_at_snapshot') }}
