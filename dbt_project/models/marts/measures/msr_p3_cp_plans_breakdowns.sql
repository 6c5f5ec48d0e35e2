-- P3_CP_PLANS by the breakdowns the documents use, at each snapshot: category of abuse (latest
-- category, the initial one when none is recorded), age band (unborn children on pre-birth
-- plans included), ethnicity (Census 2021 high-level group) and sex. Children on a plan; every
-- value of every breakdown has a row, so a zero shows.
with frame as (
    {{ area_periods(['snapshot']) }}
),

open_plans as (
    -- One plan per child (the latest started), so each breakdown partitions the children.
    select
        frame.period_id,
        frame.period_end,
        plans.*,
        row_number() over (
            partition by frame.period_id, plans.la_code, plans.person_id
            order by plans.start_date desc, plans.cp_plan_id desc
        ) as recency
    from frame
    inner join {{ ref('int_cp_plans') }} as plans
        on frame.la_code = plans.la_code
        and {{ open_on('plans.start_date', 'plans.end_date', 'frame.period_end') }}
),

on_plan as (
    select
        open_plans.period_id,
        open_plans.la_code,
        open_plans.person_id,
        coalesce(open_plans.latest_category_code, open_plans.initial_category_code, 'Not recorded') as category,
        {{ cin_age_band('open_plans.date_of_birth', 'open_plans.period_end') }} as age_band,
        coalesce(groups.census_2021_group, 'Not known') as ethnicity,
        coalesce(open_plans.sex, 'Not recorded') as sex
    from open_plans
    left join {{ ref('ethnicity_groups') }} as groups
        on open_plans.ethnicity = groups.ethnicity_code
    where open_plans.recency = 1
),

on_plan_long as (
    select period_id, la_code, person_id, 'category' as breakdown, category as breakdown_value from on_plan
    union all
    select period_id, la_code, person_id, 'age_band', age_band from on_plan
    union all
    select period_id, la_code, person_id, 'ethnicity', ethnicity from on_plan
    union all
    select period_id, la_code, person_id, 'sex', sex from on_plan
),

breakdown_values as (
    select distinct breakdown, breakdown_value from on_plan_long
    union
    select 'category', c from (values ('NEG'), ('PHY'), ('SAB'), ('EMO'), ('MUL')) as categories (c)
    union
    select 'age_band', breakdown_value from ({{ cin_age_bands() }}) as bands
    union
    select distinct 'ethnicity', census_2021_group from {{ ref('ethnicity_groups') }}
    union
    select 'sex', s from (values ('M'), ('F')) as sexes (s)
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdown_values.breakdown,
        breakdown_values.breakdown_value,
        count(distinct on_plan_long.person_id) as children
    from frame
    cross join breakdown_values
    left join on_plan_long
        on frame.period_id = on_plan_long.period_id
        and frame.la_code = on_plan_long.la_code
        and breakdown_values.breakdown = on_plan_long.breakdown
        and breakdown_values.breakdown_value = on_plan_long.breakdown_value
    group by frame.period_id, frame.la_code, breakdown_values.breakdown, breakdown_values.breakdown_value
)

{{ measure_row('P3_CP_PLANS', 'count', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
