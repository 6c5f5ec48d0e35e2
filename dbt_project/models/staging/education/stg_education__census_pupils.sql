-- Pupils on roll at each termly school census (school_census_pupils), latest extract.
with source as (
    {{ from_latest_extract('education', 'school_census_pupils') }}
)

select
    la_code as school_la_code,
    urn,
    census_date,
    census_term,
    {{ academic_year_of('census_date') }} as academic_year,
    upn as upn_key,
    date_of_birth,
    sex,
    ethnicity,
    first_language,
    coalesce(first_language in ('OTH', 'OTB'), false) as is_eal,
    coalesce(fsm_eligible, false) as is_fsm_eligible,
    -- Ever eligible in six years includes today; a blank falls back to today's eligibility.
    coalesce(fsm_ever_6, false) or coalesce(fsm_eligible, false) as is_fsm_ever_6,
    coalesce(sen_provision, 'N') as sen_provision,
    sen_primary_need,
    coalesce(enrol_status, 'C') as enrol_status,
    -- Headcounts take single and main registrations, so a dual-registered pupil counts once.
    coalesce(enrol_status, 'C') in ('C', 'M') as is_in_headcount,
    nc_year_actual,
    {{ nc_year_number('nc_year_actual') }} as year_group,
    entry_date,
    postcode as postcode_sector,
    resident_la_code,
    _extract_date as extract_date
from source
