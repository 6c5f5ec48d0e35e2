with source as (
    {{ from_latest_extract('mosaic', 'ssd_s47_enquiry') }}
)

select
    la_code,
    s47e_s47_enquiry_id as s47_enquiry_id,
    s47e_referral_id as referral_id,
    s47e_person_id as person_id,
    -- The SSD records the date of the strategy discussion that started the enquiry.
    s47e_s47_start_date as strategy_discussion_date,
    s47e_s47_end_date as completed_date,
    s47e_s47_nfa as is_outcome_nfa
from source
