-- Strengths and Difficulties Questionnaires of looked-after children (ssd_sdq_scores): a total
-- difficulties score, or the reason none was returned.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_sdq_scores') }}
)

select
    la_code,
    csdq_table_id as sdq_id,
    csdq_person_id as person_id,
    csdq_sdq_completed_date as completed_date,
    csdq_sdq_reason as reason_code,
    csdq_sdq_score as total_difficulties_score
from source
