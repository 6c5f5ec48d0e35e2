-- P3_CLA_MISSING: children looked after at any time in the financial year (short breaks
-- excluded) who went missing at least once in the year (`count_children`, `percent`), the
-- missing incidents (`count_incidents`) and incidents per child who went missing
-- (`mean_incidents_per_child`); episodes of being away from placement without authorisation
-- (whereabouts known) are held separately (`count_children_away`, `count_incidents_away`).
-- An incident belongs to the year it started in. By age band, sex and placement type.
with frame as (
    {{ area_periods(['financial_year']) }}
),

episodes as (
    select
        frame.period_id,
        episodes.la_code,
        episodes.person_id,
        sum(case when episodes.episode_type_code = 'M' then 1 else 0 end) as missing_incidents,
        sum(case when episodes.episode_type_code = 'A' then 1 else 0 end) as away_incidents
    from {{ ref('stg_mosaic__missing_episodes') }} as episodes
    inner join frame
        on episodes.la_code = frame.la_code
        and episodes.start_date between frame.period_start and frame.period_end
    group by frame.period_id, episodes.la_code, episodes.person_id
),

children as (
    select
        in_year.period_id,
        in_year.la_code,
        in_year.person_id,
        coalesce(episodes.missing_incidents, 0) as missing_incidents,
        coalesce(episodes.away_incidents, 0) as away_incidents,
        in_year.age_band,
        coalesce(in_year.sex, 'Not known') as sex,
        in_year.placement_group as placement_type
    from {{ ref('int_cla_children_in_year') }} as in_year
    left join episodes
        on in_year.period_id = episodes.period_id
        and in_year.la_code = episodes.la_code
        and in_year.person_id = episodes.person_id
),

long as (
    {{ long_breakdowns('children', ['period_id', 'la_code', 'person_id', 'missing_incidents', 'away_incidents'], ['age_band', 'sex', 'placement_type']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.person_id) as children,
        sum(case when long.missing_incidents > 0 then 1 else 0 end) as children_missing,
        coalesce(sum(long.missing_incidents), 0) as missing_incidents,
        sum(case when long.away_incidents > 0 then 1 else 0 end) as children_away,
        coalesce(sum(long.away_incidents), 0) as away_incidents
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P3_CLA_MISSING', 'count_children', 'count', 'children_missing', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_MISSING', 'percent', 'percent', 'children_missing', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_MISSING', 'count_incidents', 'count', 'missing_incidents', where="breakdown = 'all'") }}
union all
{{ measure_row('P3_CLA_MISSING', 'mean_incidents_per_child', 'mean', 'missing_incidents', 'children_missing', where="breakdown = 'all'") }}
union all
{{ measure_row('P3_CLA_MISSING', 'count_children_away', 'count', 'children_away', where="breakdown = 'all'") }}
union all
{{ measure_row('P3_CLA_MISSING', 'count_incidents_away', 'count', 'away_incidents', where="breakdown = 'all'") }}
