with source as (
    {{ from_latest_extract('mosaic', 'ssd_cp_plans') }}
)

select
    la_code,
    cppl_cp_plan_id as cp_plan_id,
    cppl_referral_id as referral_id,
    cppl_icpc_id as icpc_id,
    cppl_person_id as person_id,
    cppl_cp_plan_start_date as start_date,
    cppl_cp_plan_end_date as end_date,
    cppl_cp_plan_initial_category as initial_category_code,
    cppl_cp_plan_latest_category as latest_category_code,
    coalesce(cppl_cp_plan_ola, false) as is_other_la_plan
from source
