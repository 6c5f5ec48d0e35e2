with source as (
    {{ from_latest_extract('mosaic', 'ssd_cin_plans') }}
)

select
    la_code,
    cinp_cin_plan_id as cin_plan_id,
    cinp_referral_id as referral_id,
    cinp_person_id as person_id,
    cinp_cin_plan_start as start_date,
    cinp_cin_plan_end as end_date
from source
