with source as (
    {{ from_latest_extract('mosaic', 'ssd_cla_placement') }}
)

select
    la_code,
    clap_cla_placement_id as placement_id,
    clap_cla_id as period_of_care_id,
    clap_person_id as person_id,
    clap_cla_placement_start_date as start_date,
    clap_cla_placement_end_date as end_date,
    clap_cla_placement_type as placement_type_code,
    clap_cla_placement_provider as provider_code,
    clap_cla_placement_urn as provider_urn,
    clap_cla_placement_distance as distance_miles,
    clap_cla_placement_postcode as placement_postcode_sector,
    clap_cla_placement_change_reason as change_reason_code,
    clap_carer_id as carer_key
from source
