-- Register of schools with the latest and previous Ofsted judgements (schools), latest extract.
with source as (
    {{ from_latest_extract('education', 'schools') }}
)

select
    urn,
    laestab,
    la_code as school_la_code,
    school_name,
    phase as phase_code,
    {{ phase_group('phase') }} as phase_group,
    type_group as type_group_code,
    open_date,
    close_date,
    statutory_low_age,
    statutory_high_age,
    capacity,
    ofsted_overall_effectiveness as latest_grade,
    ofsted_inspection_date as latest_inspection_date,
    previous_ofsted_overall_effectiveness as previous_grade,
    previous_ofsted_inspection_date as previous_inspection_date,
    _extract_date as extract_date
from source
