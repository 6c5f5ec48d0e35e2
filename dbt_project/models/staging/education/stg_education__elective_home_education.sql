-- Episodes of elective home education from the council's register (elective_home_education).
with source as (
    {{ from_latest_extract('education', 'elective_home_education') }}
)

select
    la_code,
    ehe_case_id,
    upn as upn_key,
    date_of_birth,
    sex,
    start_date,
    end_date,
    reason as reason_code,
    previous_urn,
    sen_provision,
    postcode as postcode_sector,
    _extract_date as extract_date
from source
