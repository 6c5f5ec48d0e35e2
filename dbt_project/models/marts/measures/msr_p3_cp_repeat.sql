-- P3_CP_REPEAT: child protection plans started in the year for a child who had been on a plan
-- before, at any time (DfE: second or subsequent plan, regardless of how long ago), as a share of
-- all plans started; `pct_within_2y` is the local variant counting only children whose
-- previous plan ended within the two years before.
with frame as (
    {{ area_periods(['financial_year']) }}
),

plans as (
    select * from {{ ref('int_cp_plan_history') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(plans.cp_plan_id) as plans_started,
        sum(case when plans.is_repeat_plan then 1 else 0 end) as repeat_plans,
        sum(case when plans.is_repeat_within_2_years then 1 else 0 end) as repeat_plans_within_2_years
    from frame
    left join plans
        on frame.la_code = plans.la_code
        and frame.financial_year = plans.start_financial_year
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_CP_REPEAT', 'percent', 'percent', 'repeat_plans', 'plans_started') }}
union all
{{ measure_row('P3_CP_REPEAT', 'count_repeat', 'count', 'repeat_plans') }}
union all
{{ measure_row('P3_CP_REPEAT', 'pct_within_2y', 'percent', 'repeat_plans_within_2_years', 'plans_started') }}
