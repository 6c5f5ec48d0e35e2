-- Key stage 2 results (ks2_results), latest extract, with the expected standard in reading,
-- writing and maths recomputed: scaled scores of 100 or more in the reading and maths tests
-- and working at (or at greater depth within) the expected standard in writing.
with source as (
    {{ from_latest_extract('education', 'ks2_results') }}
)

select
    la_code as school_la_code,
    urn,
    upn as upn_key,
    {{ academic_year_from_label('academic_year') }} as academic_year,
    reading_scaled_score,
    maths_scaled_score,
    gps_scaled_score,
    writing_ta as writing_assessment,
    coalesce(reading_scaled_score >= 100 and maths_scaled_score >= 100 and writing_ta in ('EXS', 'GDS'), false) as is_rwm_expected,
    reading_progress,
    writing_progress,
    maths_progress,
    rwm_expected_reported as is_rwm_expected_reported,
    _extract_date as extract_date
from source
