-- Termly sessions possible and missed per pupil and school (school_attendance), latest extract.
with source as (
    {{ from_latest_extract('education', 'school_attendance') }}
)

select
    la_code as school_la_code,
    urn,
    upn as upn_key,
    {{ academic_year_from_label('academic_year') }} as academic_year,
    term,
    sessions_possible,
    coalesce(sessions_authorised_absence, 0) as sessions_authorised_absence,
    coalesce(sessions_unauthorised_absence, 0) as sessions_unauthorised_absence,
    coalesce(sessions_authorised_absence, 0) + coalesce(sessions_unauthorised_absence, 0) as sessions_absent,
    _extract_date as extract_date
from source
