-- Child protection plans with the child's plan history. DfE repeat plans: a plan for a child who
-- had been on a plan before, at any time ("second or subsequent", regardless of how long ago),
-- including plans held by another authority where recorded; the local "within 2 years of the
-- previous plan ending" variant is a separate flag. Duration: a plan lasted two years or more
-- when it ended on or after the same date two years after it started.
with plans as (
    select * from {{ ref('stg_mosaic__cp_plans') }}
),

persons as (
    select * from {{ ref('stg_mosaic__persons') }}
),

sequenced as (
    select
        plans.*,
        lag(plans.start_date) over (
            partition by plans.la_code, plans.person_id order by plans.start_date, plans.cp_plan_id
        ) as previous_start_date,
        lag(plans.end_date) over (
            partition by plans.la_code, plans.person_id order by plans.start_date, plans.cp_plan_id
        ) as previous_end_date
    from plans
)

select
    sequenced.la_code,
    sequenced.cp_plan_id,
    sequenced.person_id,
    sequenced.start_date,
    sequenced.end_date,
    {{ financial_year_of('sequenced.start_date') }} as start_financial_year,
    {{ financial_year_of('sequenced.end_date') }} as end_financial_year,
    coalesce(sequenced.latest_category_code, sequenced.initial_category_code) as category_code,
    sequenced.previous_start_date,
    sequenced.previous_end_date,
    (sequenced.previous_start_date is not null) as is_repeat_plan,
    -- A previous plan still open when this one started counts as ending that day.
    (sequenced.previous_start_date is not null
        and coalesce(sequenced.previous_end_date, sequenced.start_date) >= {{ dbt.dateadd('year', -2, 'sequenced.start_date') }}) as is_repeat_within_2_years,
    (sequenced.end_date is not null
        and sequenced.end_date >= {{ dbt.dateadd('year', 2, 'sequenced.start_date') }}) as lasted_2_years_or_more,
    persons.sex,
    persons.ethnicity,
    persons.date_of_birth
from sequenced
left join persons
    on sequenced.la_code = persons.la_code
    and sequenced.person_id = persons.person_id
where not sequenced.is_other_la_plan
