-- Key stage 4 results (ks4_results), latest extract, with the English and maths thresholds.
with source as (
    {{ from_latest_extract('education', 'ks4_results') }}
)

select
    la_code as school_la_code,
    urn,
    upn as upn_key,
    {{ academic_year_from_label('academic_year') }} as academic_year,
    attainment_8,
    progress_8,
    english_grade,
    maths_grade,
    coalesce(english_grade >= 4 and maths_grade >= 4, false) as is_grade_4_english_maths,
    coalesce(english_grade >= 5 and maths_grade >= 5, false) as is_grade_5_english_maths,
    _extract_date as extract_date
from source
