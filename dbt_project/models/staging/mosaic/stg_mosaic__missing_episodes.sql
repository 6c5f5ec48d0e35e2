-- Missing and away-from-placement episodes of looked-after children (ssd_missing), with the
-- return home interview: offered, accepted (or declined) and completed.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_missing') }}
)

select
    la_code,
    miss_table_id as missing_episode_id,
    miss_person_id as person_id,
    miss_missing_episode_type as episode_type_code,
    miss_missing_episode_start_date as started_at,
    miss_missing_episode_end_date as returned_at,
    cast(miss_missing_episode_start_date as date) as start_date,
    cast(miss_missing_episode_end_date as date) as return_date,
    miss_missing_rhi_offered as rhi_offered_code,
    miss_missing_rhi_accepted as rhi_accepted_code,
    miss_missing_rhi_offered_date as rhi_offered_at,
    miss_missing_rhi_accepted_date as rhi_accepted_at,
    miss_missing_rhi_completed_date as rhi_completed_at
from source
