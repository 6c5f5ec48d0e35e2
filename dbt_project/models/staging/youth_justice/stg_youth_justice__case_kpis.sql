-- YJB key performance indicator records: one per intervention, with the child's circumstances
-- at its start and end (latest extract). End-of-intervention items are blank while it is open.
with source as (
    {{ from_latest_extract('youth_justice', 'yj_case_kpi') }}
)

select
    la_code,
    kpi_record_id,
    yj_person_id as person_id,
    outcome_id,
    intervention_type as intervention_type_code,
    start_date,
    end_date,
    completion_status as completion_status_code,
    accommodation_start as accommodation_start_code,
    accommodation_suitable_start as is_accommodation_suitable_start,
    accommodation_end as accommodation_end_code,
    accommodation_suitable_end as is_accommodation_suitable_end,
    ete_status_start as ete_status_start_code,
    ete_suitable_start as is_ete_suitable_start,
    ete_status_end as ete_status_end_code,
    ete_suitable_end as is_ete_suitable_end,
    ete_hours_offered_end,
    ete_hours_attended_end,
    send_identified as is_send_identified,
    send_type as send_type_code,
    learning_plan_in_place as has_learning_plan,
    slcn_screened as is_slcn_screened,
    slcn_identified as is_slcn_identified,
    mh_screened as is_mh_screened,
    mh_need_identified as is_mh_need_identified,
    mh_intervention_offered as is_mh_intervention_offered,
    mh_attending as is_mh_attending,
    mh_sessions_offered,
    mh_sessions_attended,
    sm_screened as is_sm_screened,
    sm_need_identified as is_sm_need_identified,
    sm_intervention_offered as is_sm_intervention_offered,
    sm_attending as is_sm_attending,
    early_help_start as is_early_help_start,
    child_in_need_start as is_child_in_need_start,
    child_protection_start as is_child_protection_start,
    looked_after_start as is_looked_after_start,
    early_help_end as is_early_help_end,
    child_in_need_end as is_child_in_need_end,
    child_protection_end as is_child_protection_end,
    looked_after_end as is_looked_after_end
from source
