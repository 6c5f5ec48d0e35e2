-- Care leavers' birthday contacts (ssd_care_leavers, one row per contact): in touch or not,
-- accommodation and its suitability, main activity.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_care_leavers') }}
)

select
    la_code,
    clea_table_id as contact_id,
    clea_person_id as person_id,
    clea_care_leaver_eligibility as eligibility_code,
    clea_care_leaver_in_touch as in_touch_code,
    clea_care_leaver_contact_date as contact_date,
    clea_collection_year as recorded_collection_year,
    clea_care_leaver_accommodation as accommodation_code,
    clea_care_leaver_accom_suitable as accommodation_suitability_code,
    clea_care_leaver_activity as activity_code,
    clea_pathway_plan_review_date as pathway_plan_review_date
from source
