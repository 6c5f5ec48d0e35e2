-- Factors identified at the end of assessment: one row per assessment and factor code, parsed
-- from whichever shape the council delivered (JSON object, JSON array, bare codes), with whether
-- the code is a CIN census code at all and whether it was valid in the collection year of the
-- assessment's authorisation (24A child criminal exploitation only from 2021-22, for example).
with delivered as (
    select
        la_code,
        assessment_id,
        {{ assessment_factor_codes('factors_as_delivered') }} as factor_codes
    from {{ ref('stg_mosaic__assessment_factors') }}
),

exploded as (
    select la_code, assessment_id, {{ explode_list('factor_codes') }} as factor_code
    from delivered
),

distinct_codes as (
    select distinct la_code, assessment_id, factor_code
    from exploded
    where factor_code is not null and factor_code <> ''
),

assessments as (
    select * from {{ ref('stg_mosaic__assessments') }}
),

codes as (
    select * from {{ ref('assessment_factor_codes') }}
)

select
    distinct_codes.la_code,
    distinct_codes.assessment_id,
    assessments.person_id,
    assessments.referral_id,
    assessments.authorised_date,
    {{ financial_year_of('assessments.authorised_date') }} as collection_year,
    distinct_codes.factor_code,
    (codes.factor_code is not null) as is_known_code,
    (codes.factor_code is not null
        and (assessments.authorised_date is null
            or ((codes.first_collection_year is null or {{ financial_year_of('assessments.authorised_date') }} >= codes.first_collection_year)
                and (codes.last_collection_year is null or {{ financial_year_of('assessments.authorised_date') }} <= codes.last_collection_year)))) as is_valid_in_year
from distinct_codes
left join assessments
    on distinct_codes.la_code = assessments.la_code
    and distinct_codes.assessment_id = assessments.assessment_id
left join codes
    on distinct_codes.factor_code = codes.factor_code
