-- Remand, bail support and sentenced custody episodes (latest extract).
with source as (
    {{ from_latest_extract('youth_justice', 'yj_custody_episode') }}
)

select
    la_code,
    episode_id,
    yj_person_id as person_id,
    episode_type as episode_type_code,
    (episode_type in ('REMAND_YDA', 'REMAND_LAA')) as is_remand,
    start_date,
    end_date,
    outcome_id
from source
