-- Social work assessments with what the timeliness and factor measures need: working days from
-- the referral (Working Together: 45 working days from the point of referral) and from the
-- assessment start date (the other basis, held as a labelled statistic), England and Wales bank
-- holidays excluded through int_calendar; and flags for the factors the measures use.
with assessments as (
    select * from {{ ref('stg_mosaic__assessments') }}
),

referrals as (
    select * from {{ ref('stg_mosaic__referrals') }}
),

persons as (
    select * from {{ ref('stg_mosaic__persons') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

factors as (
    select
        la_code,
        assessment_id,
        max(case when factor_code = '4A' then 1 else 0 end) = 1 as has_child_mental_health,
        max(case when factor_code = '4B' then 1 else 0 end) = 1 as has_parent_mental_health,
        -- Exploitation (P3_EXPLOITATION_RISK): sexual 11A, trafficking 12A, gangs 13A, criminal 24A.
        max(case when factor_code in ('11A', '12A', '13A', '24A') then 1 else 0 end) = 1 as has_exploitation
    from {{ ref('int_assessment_factors') }}
    group by la_code, assessment_id
)

select
    assessments.la_code,
    assessments.assessment_id,
    assessments.person_id,
    assessments.referral_id,
    referrals.referral_date,
    assessments.start_date,
    assessments.authorised_date,
    {{ financial_year_of('assessments.authorised_date') }} as financial_year,
    {{ financial_quarter_of('assessments.authorised_date') }} as financial_quarter,
    authorised.working_day_number - referred.working_day_number as working_days_from_referral,
    authorised.working_day_number - started.working_day_number as working_days_from_start,
    (factors.assessment_id is not null) as has_factors_recorded,
    coalesce(factors.has_child_mental_health, false) as has_child_mental_health,
    coalesce(factors.has_parent_mental_health, false) as has_parent_mental_health,
    coalesce(factors.has_exploitation, false) as has_exploitation,
    persons.sex,
    persons.date_of_birth,
    {{ age_at('persons.date_of_birth', 'assessments.authorised_date') }} as age_at_authorisation
from assessments
left join referrals
    on assessments.la_code = referrals.la_code
    and assessments.referral_id = referrals.referral_id
left join persons
    on assessments.la_code = persons.la_code
    and assessments.person_id = persons.person_id
left join calendar as referred
    on referrals.referral_date = referred.calendar_date
left join calendar as started
    on assessments.start_date = started.calendar_date
left join calendar as authorised
    on assessments.authorised_date = authorised.calendar_date
left join factors
    on assessments.la_code = factors.la_code
    and assessments.assessment_id = factors.assessment_id
