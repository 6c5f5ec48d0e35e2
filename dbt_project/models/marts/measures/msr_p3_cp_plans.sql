-- P3_CP_PLANS: children subject to a child protection plan at the snapshot and the rate per
-- 10,000 aged 0-17; plans started in the financial year and their rate.
with snapshot_frame as (
    {{ area_periods(['snapshot']) }}
),

year_frame as (
    {{ area_periods(['financial_year']) }}
),

plans as (
    select * from {{ ref('int_cp_plans') }}
),

on_plan as (
    select
        snapshot_frame.period_id,
        snapshot_frame.la_code,
        denominators.population_0_17,
        count(distinct plans.person_id) as children_on_plan
    from snapshot_frame
    left join plans
        on snapshot_frame.la_code = plans.la_code
        and {{ open_on('plans.start_date', 'plans.end_date', 'snapshot_frame.period_end') }}
    left join {{ ref('int_denominators') }} as denominators
        on snapshot_frame.la_code = denominators.la_code and snapshot_frame.mid_year = denominators.mid_year
    group by snapshot_frame.period_id, snapshot_frame.la_code, denominators.population_0_17
),

started as (
    select
        year_frame.period_id,
        year_frame.la_code,
        denominators.population_0_17,
        count(plans.cp_plan_id) as plans_started
    from year_frame
    left join plans
        on year_frame.la_code = plans.la_code
        and year_frame.financial_year = plans.start_financial_year
    left join {{ ref('int_denominators') }} as denominators
        on year_frame.la_code = denominators.la_code and year_frame.mid_year = denominators.mid_year
    group by year_frame.period_id, year_frame.la_code, denominators.population_0_17
)

{{ measure_row('P3_CP_PLANS', 'count', 'count', 'children_on_plan', relation='on_plan') }}
union all
{{ measure_row('P3_CP_PLANS', 'rate_per_10k', 'rate_per_10k', 'children_on_plan', 'population_0_17', relation='on_plan') }}
union all
{{ measure_row('P3_CP_PLANS', 'count_started', 'count', 'plans_started', relation='started') }}
union all
{{ measure_row('P3_CP_PLANS', 'rate_started_per_10k', 'rate_per_10k', 'plans_started', 'population_0_17', relation='started') }}
