-- Factors identified at the end of assessment, as delivered: one row per assessment (JSON) or per
-- assessment and factor (bare codes). int_assessment_factors parses them into one row per code.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_assessment_factors') }}
)

select
    la_code,
    cinf_assessment_id as assessment_id,
    cinf_assessment_factors_json as factors_as_delivered,
    _source_row as source_row
from source
