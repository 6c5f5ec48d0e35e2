-- P3_CLA_STABILITY_SHORT (DfE): children looked after at 31 March (short breaks excluded) who
-- had three or more placements during the financial year. Placements are counted from the
-- SSDA903 episodes of the year: the first episode the child had in the year is one placement;
-- every later episode starts a new one only if its reason for new episode is a change of
-- placement (P, T; B, U with a legal status change too) or a new period of care (S). A change
-- of legal status alone (L) is not a move, and short-break episodes are left out.
with frame as (
    {{ area_periods(['snapshot']) }}
    and periods.is_year_end_snapshot
),

looked_after as (
    select * from {{ ref('int_looked_after_at_snapshot') }}
    where is_year_end_snapshot
),

episodes as (
    select * from {{ ref('int_cla_episodes') }}
    where not is_short_break
),

in_year as (
    select
        looked_after.period_id,
        looked_after.la_code,
        looked_after.person_id,
        episodes.reason_new_episode_code,
        row_number() over (
            partition by looked_after.period_id, looked_after.la_code, looked_after.person_id
            order by episodes.start_date, episodes.episode_id
        ) as position
    from looked_after
    inner join episodes
        on looked_after.la_code = episodes.la_code
        and looked_after.person_id = episodes.person_id
        and episodes.start_date <= looked_after.snapshot_date
        and (episodes.end_date is null or episodes.end_date > {{ dbt.dateadd('day', 1, dbt.dateadd('year', -1, 'looked_after.snapshot_date')) }})
),

placements as (
    select
        period_id,
        la_code,
        person_id,
        sum(case when position = 1 or reason_new_episode_code in ('S', 'P', 'T', 'B', 'U') then 1 else 0 end) as placements_in_year
    from in_year
    group by period_id, la_code, person_id
),

children as (
    select
        looked_after.period_id,
        looked_after.la_code,
        looked_after.person_id,
        coalesce(placements.placements_in_year, 1) >= 3 as had_three_or_more,
        {{ uasc_label('looked_after.is_uasc') }} as uasc,
        {{ cla_age_band_of('looked_after.age_at_snapshot') }} as age_band,
        {{ placement_group('looked_after.placement_type_code', 'looked_after.provider_code') }} as placement_type
    from looked_after
    left join placements
        on looked_after.period_id = placements.period_id
        and looked_after.la_code = placements.la_code
        and looked_after.person_id = placements.person_id
),

long as (
    {{ long_breakdowns('children', ['period_id', 'la_code', 'person_id', 'had_three_or_more'], ['uasc', 'age_band', 'placement_type']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.person_id) as children,
        sum(case when long.had_three_or_more then 1 else 0 end) as three_or_more
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P3_CLA_STABILITY_SHORT', 'percent', 'percent', 'three_or_more', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_STABILITY_SHORT', 'count', 'count', 'three_or_more', where="breakdown = 'all'") }}
