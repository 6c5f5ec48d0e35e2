-- Funded early education places per child, provider and funding term (early_years_funding).
with source as (
    {{ from_latest_extract('education', 'early_years_funding') }}
)

select
    la_code,
    child_reference as child_key,
    upn as upn_key,
    date_of_birth,
    {{ academic_year_from_label('academic_year') }} as academic_year,
    term,
    provider_urn,
    provider_type as provider_type_code,
    funding_type as funding_type_code,
    funded_hours_per_week,
    two_year_old_basis as two_year_old_basis_code,
    coalesce(eypp, false) as is_eypp,
    postcode as postcode_sector,
    _extract_date as extract_date
from source
