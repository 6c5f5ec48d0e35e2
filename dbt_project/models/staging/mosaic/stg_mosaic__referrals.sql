-- One row per referral; in the CIN census each referral opens a CIN episode that lasts until
-- the case closes.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_cin_episodes') }}
)

select
    la_code,
    cine_referral_id as referral_id,
    cine_person_id as person_id,
    cine_referral_date as referral_date,
    cine_cin_primary_need_code as primary_need_code,
    cine_referral_source_code as referral_source_code,
    coalesce(cine_referral_nfa, false) as is_referral_nfa,
    cine_close_reason as close_reason_code,
    cine_close_date as close_date,
    _extract_date as extract_date
from source
