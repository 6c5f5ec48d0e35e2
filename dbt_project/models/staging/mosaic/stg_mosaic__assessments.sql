with source as (
    {{ from_latest_extract('mosaic', 'ssd_cin_assessments') }}
)

select
    la_code,
    cina_assessment_id as assessment_id,
    cina_person_id as person_id,
    cina_referral_id as referral_id,
    cina_assessment_start_date as start_date,
    cina_assessment_auth_date as authorised_date,
    cina_assessment_child_seen as was_child_seen,
    cina_assessment_outcome_nfa as is_outcome_nfa,
    cina_assessment_team as team
from source
