-- Child protection plans with the child's characteristics and age when the plan started.
with plans as (
    select * from {{ ref('stg_mosaic__cp_plans') }}
),

persons as (
    select * from {{ ref('stg_mosaic__persons') }}
)

select
    plans.la_code,
    plans.cp_plan_id,
    plans.person_id,
    plans.referral_id,
    plans.start_date,
    plans.end_date,
    {{ financial_year_of('plans.start_date') }} as start_financial_year,
    plans.initial_category_code,
    plans.latest_category_code,
    persons.sex,
    persons.ethnicity,
    persons.date_of_birth,
    {{ age_at('persons.date_of_birth', 'plans.start_date') }} as age_at_start
from plans
left join persons
    on plans.la_code = persons.la_code
    and plans.person_id = persons.person_id
where not plans.is_other_la_plan
