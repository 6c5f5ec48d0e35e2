-- EHC plans in place, with their start and cessation.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_ehcp_named_plan') }}
)

select
    la_code,
    ehcn_named_plan_id as named_plan_id,
    ehcn_ehcp_asmt_id as assessment_id,
    ehcn_named_plan_start_date as start_date,
    ehcn_named_plan_ceased_date as ceased_date,
    ehcn_named_plan_ceased_reason as ceased_reason_code
from source
