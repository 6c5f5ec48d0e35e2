-- Pre-proceedings under the Public Law Outline and any care proceedings that followed.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_pre_proceedings') }}
)

select
    la_code,
    prep_table_id as pre_proceedings_id,
    prep_person_id as person_id,
    prep_plo_family_id as plo_family_id,
    prep_pre_pro_decision_date as decision_date,
    prep_initial_pre_pro_meeting_date as first_meeting_date,
    prep_pre_pro_outcome as outcome_code,
    prep_agree_stepdown_issue_date as outcome_date,
    prep_legal_gateway_outcome as legal_gateway_outcome_code,
    prep_pre_pro_letter_date as letter_date,
    prep_care_pro_letter_date as proceedings_letter_date,
    prep_pre_pro_meetings_num as review_meetings,
    prep_care_proc_court_hearings as court_hearings
from source
