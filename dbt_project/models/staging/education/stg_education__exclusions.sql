-- Suspensions and permanent exclusions (school_exclusions), latest extract.
with source as (
    {{ from_latest_extract('education', 'school_exclusions') }}
)

select
    la_code as school_la_code,
    urn,
    upn as upn_key,
    start_date,
    {{ academic_year_of('start_date') }} as academic_year,
    category,
    (category = 'PERM') as is_permanent,
    -- DfE suspension counts leave lunchtime suspensions out (they are reported apart).
    (category = 'FIXD') as is_suspension,
    sessions,
    reason as reason_code,
    reason_2 as second_reason_code,
    reason_3 as third_reason_code,
    _extract_date as extract_date
from source
