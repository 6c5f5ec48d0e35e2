with source as (
    {{ from_latest_extract('mosaic', 'ssd_person') }}
)

select
    la_code,
    pers_person_id as person_id,
    pers_sex as sex,
    pers_ethnicity as ethnicity,
    -- Unborn children are referred before birth: their expected date of birth stands in.
    coalesce(pers_dob, pers_expected_dob) as date_of_birth,
    (pers_dob is null and pers_expected_dob is not null) as is_unborn_at_extract,
    pers_upn as upn_key,
    pers_upn_unknown as upn_unknown_reason,
    pers_common_child_id as nhs_number_key,
    coalesce(pers_send_flag, false) as has_ehcp,
    pers_death_date as date_of_death,
    pers_postcode as postcode_sector,
    _extract_date as extract_date
from source
