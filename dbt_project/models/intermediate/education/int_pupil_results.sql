-- End-of-stage results in one shape: one row per pupil, key stage (EYFSP, KS2, KS4) and
-- academic year, with the pupil's characteristics from that year's census at the school that
-- entered them (int_pupil_years; the spring census, as the DfE takes them).
with results as (
    select 'EYFSP' as key_stage, school_la_code, urn, upn_key, academic_year,
        is_good_level_of_development as is_expected_standard, false as is_grade_5,
        cast(null as double) as attainment_8, cast(null as double) as progress_8
    from {{ ref('stg_education__eyfsp_results') }}
    union all
    select 'KS2', school_la_code, urn, upn_key, academic_year,
        is_rwm_expected, false, cast(null as double), cast(null as double)
    from {{ ref('stg_education__ks2_results') }}
    union all
    select 'KS4', school_la_code, urn, upn_key, academic_year,
        is_grade_4_english_maths, is_grade_5_english_maths, attainment_8, progress_8
    from {{ ref('stg_education__ks4_results') }}
),

years as (
    select * from {{ ref('int_pupil_years') }}
),

boroughs as (
    select la_code from {{ ref('boroughs') }}
)

select
    results.key_stage,
    results.school_la_code,
    results.urn,
    results.upn_key,
    results.academic_year,
    (boroughs.la_code is not null) as is_borough_school,
    -- At the end of KS4, "expected standard" means grade 4 or above in English and maths.
    results.is_expected_standard,
    results.is_grade_5,
    results.attainment_8,
    results.progress_8,
    years.sex,
    years.ethnicity_group,
    coalesce(years.is_fsm_eligible, false) as is_fsm_eligible,
    coalesce(years.is_disadvantaged, false) as is_disadvantaged,
    coalesce(years.sen_provision, 'N') as sen_provision,
    coalesce(years.is_eal, false) as is_eal,
    coalesce(years.social_care_group, 'not_in_need') as social_care_group,
    coalesce(years.phase_group, 'other') as phase_group
from results
left join years
    on results.urn = years.urn
    and results.upn_key = years.upn_key
    and results.academic_year = years.academic_year
left join boroughs
    on results.school_la_code = boroughs.la_code
