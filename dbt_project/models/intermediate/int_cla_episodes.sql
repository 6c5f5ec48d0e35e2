-- Looked-after episodes with the legal status, placement and UASC status that applied when each
-- started. Short breaks (legal status V3/V4) are flagged: DfE leaves them out of looked-after
-- counts and placement stability.
with episodes as (
    select * from {{ ref('stg_mosaic__cla_episodes') }}
),

legal as (
    select * from {{ ref('stg_mosaic__legal_statuses') }}
),

placements as (
    select * from {{ ref('stg_mosaic__cla_placements') }}
),

uasc as (
    select * from {{ ref('stg_mosaic__immigration_statuses') }}
    where immigration_status_code = 'UASC'
),

legal_at_start as (
    select
        episodes.la_code,
        episodes.episode_id,
        legal.legal_status_code,
        legal.is_short_break,
        row_number() over (
            partition by episodes.la_code, episodes.episode_id
            order by legal.start_date desc nulls last
        ) as recency
    from episodes
    inner join legal
        on episodes.la_code = legal.la_code
        and episodes.person_id = legal.person_id
        and {{ open_on('legal.start_date', 'legal.end_date', 'episodes.start_date') }}
),

uasc_during as (
    select distinct episodes.la_code, episodes.episode_id
    from episodes
    inner join uasc
        on episodes.la_code = uasc.la_code
        and episodes.person_id = uasc.person_id
        and uasc.start_date <= coalesce(episodes.end_date, episodes.start_date)
        and (uasc.end_date is null or uasc.end_date > episodes.start_date)
)

select
    episodes.la_code,
    episodes.episode_id,
    episodes.person_id,
    episodes.period_of_care_id,
    episodes.referral_id,
    episodes.start_date,
    episodes.end_date,
    episodes.reason_new_episode_code,
    episodes.reason_ceased_code,
    episodes.category_of_need_code,
    legal_at_start.legal_status_code,
    coalesce(legal_at_start.is_short_break, false) as is_short_break,
    placements.placement_id,
    placements.placement_type_code,
    placements.provider_code,
    placements.carer_key,
    (uasc_during.episode_id is not null) as is_uasc
from episodes
left join legal_at_start
    on episodes.la_code = legal_at_start.la_code
    and episodes.episode_id = legal_at_start.episode_id
    and legal_at_start.recency = 1
left join placements
    on episodes.la_code = placements.la_code
    and episodes.placement_id = placements.placement_id
left join uasc_during
    on episodes.la_code = uasc_during.la_code
    and episodes.episode_id = uasc_during.episode_id
