-- Children eligible for a funded 2-year-old place per funding term (two_year_old_eligibility).
with source as (
    {{ from_latest_extract('education', 'two_year_old_eligibility') }}
)

select
    la_code,
    child_reference as child_key,
    date_of_birth,
    {{ academic_year_from_label('academic_year') }} as academic_year,
    term,
    eligibility_basis as eligibility_basis_code,
    postcode as postcode_sector,
    _extract_date as extract_date
from source
