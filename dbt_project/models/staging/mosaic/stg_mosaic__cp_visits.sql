-- Statutory visits to children on child protection plans.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_cp_visits') }}
)

select
    la_code,
    cppv_cp_visit_id as visit_id,
    cppv_person_id as person_id,
    cppv_cp_plan_id as cp_plan_id,
    cppv_cp_visit_date as visit_date,
    cppv_cp_visit_seen as was_child_seen,
    cppv_cp_visit_seen_alone as was_child_seen_alone,
    cppv_cp_visit_bedroom as was_bedroom_seen
from source
