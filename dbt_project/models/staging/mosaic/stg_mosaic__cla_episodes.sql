-- SSDA903 episodes: a new episode starts at every change of legal status or placement.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_cla_episodes') }}
)

select
    la_code,
    clae_cla_episode_id as episode_id,
    clae_person_id as person_id,
    clae_cla_id as period_of_care_id,
    clae_referral_id as referral_id,
    clae_cla_placement_id as placement_id,
    clae_cla_episode_start_date as start_date,
    clae_cla_episode_start_reason as reason_new_episode_code,
    clae_cla_primary_need_code as category_of_need_code,
    clae_cla_episode_ceased as end_date,
    clae_cla_episode_ceased_reason as reason_ceased_code,
    clae_entered_care_date as entered_care_date
from source
