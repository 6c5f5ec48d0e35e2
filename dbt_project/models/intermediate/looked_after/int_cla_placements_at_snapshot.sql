-- The placement of each child looked after at each snapshot date, with its provider's Ofsted
-- URN and the provider's latest full inspection on or before the date (the judgement in force
-- then, not today's). Placements with no URN, or the XXXXXXX of providers Ofsted does not
-- inspect, have no registered provider.
with looked_after as (
    select * from {{ ref('int_looked_after_at_snapshot') }}
),

episodes as (
    select la_code, episode_id, placement_id from {{ ref('int_cla_episodes') }}
),

placements as (
    select * from {{ ref('stg_mosaic__cla_placements') }}
),

placed as (
    select
        looked_after.period_id,
        looked_after.snapshot_date,
        looked_after.is_year_end_snapshot,
        looked_after.la_code,
        looked_after.person_id,
        looked_after.is_uasc,
        looked_after.placement_type_code,
        looked_after.provider_code,
        case
            when placements.provider_urn is null or upper(placements.provider_urn) like 'XXXX%' then null
            else upper(placements.provider_urn)
        end as provider_urn
    from looked_after
    left join episodes
        on looked_after.la_code = episodes.la_code
        and looked_after.episode_id = episodes.episode_id
    left join placements
        on episodes.la_code = placements.la_code
        and episodes.placement_id = placements.placement_id
),

judged as (
    select
        placed.period_id,
        placed.la_code,
        placed.person_id,
        judgements.inspection_date,
        judgements.overall_judgement_code,
        judgements.is_good_or_outstanding,
        judgements.provider_local_authority,
        row_number() over (
            partition by placed.period_id, placed.la_code, placed.person_id
            order by judgements.inspection_date desc
        ) as recency
    from placed
    inner join {{ ref('stg_ofsted__provider_judgements') }} as judgements
        on placed.provider_urn = judgements.provider_urn
        and judgements.inspection_date <= placed.snapshot_date
),

provider_location as (
    -- Where the provider is, from its latest entry in the register.
    select provider_urn, provider_local_authority,
        row_number() over (partition by provider_urn order by inspection_date desc) as recency
    from {{ ref('stg_ofsted__provider_judgements') }}
)

select
    placed.period_id,
    placed.snapshot_date,
    placed.is_year_end_snapshot,
    placed.la_code,
    placed.person_id,
    placed.is_uasc,
    placed.placement_type_code,
    {{ placement_group('placed.placement_type_code', 'placed.provider_code') }} as placement_group,
    placed.provider_urn,
    (placed.provider_urn is not null) as has_registered_provider,
    judged.inspection_date as judgement_inspection_date,
    judged.overall_judgement_code,
    (judged.overall_judgement_code is not null) as has_judgement,
    coalesce(judged.is_good_or_outstanding, false) as is_good_or_outstanding,
    case
        when provider_location.provider_local_authority is null then 'Not known'
        when provider_location.provider_local_authority = boroughs.area_name then 'In borough'
        else 'Out of borough'
    end as provider_location
from placed
left join judged
    on placed.period_id = judged.period_id
    and placed.la_code = judged.la_code
    and placed.person_id = judged.person_id
    and judged.recency = 1
left join provider_location
    on placed.provider_urn = provider_location.provider_urn
    and provider_location.recency = 1
left join {{ ref('boroughs') }} as boroughs
    on placed.la_code = boroughs.la_code
