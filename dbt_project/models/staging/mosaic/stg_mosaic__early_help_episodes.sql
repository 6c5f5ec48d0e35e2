-- Early help episodes, one row per child; children worked with together share a family id.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_early_help_episodes') }}
)

select
    la_code,
    earl_episode_id as episode_id,
    earl_person_id as person_id,
    earl_family_id as family_id,
    earl_episode_start_date as start_date,
    earl_episode_end_date as end_date,
    earl_episode_reason as reason_code,
    earl_episode_end_reason as end_reason_code,
    earl_episode_organisation as organisation
from source
