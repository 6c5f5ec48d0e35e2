-- EHC needs assessments; for outcome Y the outcome date is the date the final plan was issued.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_ehcp_assessment') }}
)

select
    la_code,
    ehca_ehcp_assessment_id as assessment_id,
    ehca_ehcp_request_id as request_id,
    ehca_ehcp_assessment_outcome_date as outcome_date,
    ehca_ehcp_assessment_outcome as outcome_code,
    coalesce(ehca_ehcp_assessment_exceptions, false) as has_exception
from source
