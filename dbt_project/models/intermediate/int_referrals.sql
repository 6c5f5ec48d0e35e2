-- Referrals with what the measures need: the child's age and characteristics, whether the
-- referral led to an assessment, and the child's previous referral (re-referrals, DfE CIN census:
-- a referral within 12 months of a previous referral for the same child).
with referrals as (
    select * from {{ ref('stg_mosaic__referrals') }}
),

persons as (
    select * from {{ ref('stg_mosaic__persons') }}
),

assessed as (
    select distinct la_code, referral_id
    from {{ ref('stg_mosaic__assessments') }}
    where referral_id is not null
),

sequenced as (
    select
        referrals.*,
        lag(referrals.referral_date) over (
            partition by referrals.la_code, referrals.person_id
            order by referrals.referral_date, referrals.referral_id
        ) as previous_referral_date
    from referrals
)

select
    sequenced.la_code,
    sequenced.referral_id,
    sequenced.person_id,
    sequenced.referral_date,
    {{ financial_year_of('sequenced.referral_date') }} as financial_year,
    {{ financial_quarter_of('sequenced.referral_date') }} as financial_quarter,
    sequenced.primary_need_code,
    sequenced.referral_source_code,
    sequenced.is_referral_nfa,
    sequenced.close_date,
    sequenced.close_reason_code,
    sequenced.previous_referral_date,
    (sequenced.previous_referral_date is not null
        and sequenced.previous_referral_date >= {{ dbt.dateadd('month', -12, 'sequenced.referral_date') }}) as is_rereferral_12m,
    (sequenced.previous_referral_date is not null) as is_rereferral_ever,
    (assessed.referral_id is not null) as led_to_assessment,
    persons.sex,
    persons.ethnicity,
    {{ age_at('persons.date_of_birth', 'sequenced.referral_date') }} as age_at_referral
from sequenced
left join assessed
    on sequenced.la_code = assessed.la_code
    and sequenced.referral_id = assessed.referral_id
left join persons
    on sequenced.la_code = persons.la_code
    and sequenced.person_id = persons.person_id
