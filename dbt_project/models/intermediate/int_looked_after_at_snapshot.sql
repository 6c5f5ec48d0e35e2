-- Children looked after at each snapshot date (DfE: an episode open on the day, excluding
-- children looked after only under an agreed series of short-term breaks), one row per child.
with snapshots as (
    select period_id, period_end as snapshot_date, is_year_end_snapshot
    from {{ ref('int_reporting_periods') }}
    where period_type = 'snapshot'
),

episodes as (
    select * from {{ ref('int_cla_episodes') }}
    where not is_short_break
),

periods as (
    select * from {{ ref('int_cla_periods') }}
),

spells as (
    select * from {{ ref('int_cla_placement_spells') }}
),

open_episodes as (
    select
        snapshots.period_id,
        snapshots.snapshot_date,
        snapshots.is_year_end_snapshot,
        episodes.*,
        row_number() over (
            partition by snapshots.period_id, episodes.la_code, episodes.person_id
            order by episodes.start_date desc, episodes.episode_id desc
        ) as recency
    from snapshots
    inner join episodes
        on {{ open_on('episodes.start_date', 'episodes.end_date', 'snapshots.snapshot_date') }}
)

select
    open_episodes.period_id,
    open_episodes.snapshot_date,
    open_episodes.is_year_end_snapshot,
    open_episodes.la_code,
    open_episodes.person_id,
    open_episodes.episode_id,
    open_episodes.period_of_care_id,
    open_episodes.legal_status_code,
    open_episodes.placement_type_code,
    open_episodes.provider_code,
    open_episodes.is_uasc,
    periods.start_date as period_of_care_start_date,
    periods.sex,
    periods.ethnicity,
    {{ age_at('periods.date_of_birth', 'open_episodes.snapshot_date') }} as age_at_snapshot,
    spells.stability_clock_start_date
from open_episodes
left join periods
    on open_episodes.la_code = periods.la_code
    and open_episodes.period_of_care_id = periods.period_of_care_id
left join spells
    on open_episodes.la_code = spells.la_code
    and open_episodes.placement_id = spells.placement_id
where open_episodes.recency = 1
