-- Requests for an EHC needs assessment; the request date starts the 20-week clock.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_ehcp_requests') }}
)

select
    la_code,
    ehcr_ehcp_request_id as request_id,
    ehcr_send_table_id as send_record_id,
    ehcr_ehcp_req_date as request_date,
    ehcr_ehcp_req_outcome_date as decision_date,
    ehcr_ehcp_req_outcome as request_outcome_code
from source
