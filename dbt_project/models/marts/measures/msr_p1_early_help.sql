-- P1_EARLY_HELP_FAMILIES: families (and children) with an open early help episode at each
-- snapshot; in each year, episodes started (children and families), episodes closed, the share of
-- closures with outcomes achieved (end reason OUTCOMES_MET: the Supporting Families outcome
-- headlines are not in the extract), and the share of closed episodes where the child was referred to
-- children's social care no later than 12 months after closure (step-up; for the latest year the
-- 12 months have not all passed yet, so the share can still rise).
with snapshot_frame as (
    {{ area_periods(['snapshot']) }}
),

year_frame as (
    {{ area_periods(['financial_year']) }}
),

episodes as (
    select * from {{ ref('int_early_help_episodes') }}
),

open_at_snapshot as (
    select
        snapshot_frame.period_id,
        snapshot_frame.la_code,
        count(distinct episodes.family_key) as families,
        count(distinct episodes.person_id) as children
    from snapshot_frame
    left join episodes
        on snapshot_frame.la_code = episodes.la_code
        and {{ open_on('episodes.start_date', 'episodes.end_date', 'snapshot_frame.period_end') }}
    group by snapshot_frame.period_id, snapshot_frame.la_code
),

started as (
    select
        year_frame.period_id,
        year_frame.la_code,
        count(episodes.episode_id) as episodes_started,
        count(distinct episodes.family_key) as families_started
    from year_frame
    left join episodes
        on year_frame.la_code = episodes.la_code
        and year_frame.financial_year = episodes.start_financial_year
    group by year_frame.period_id, year_frame.la_code
),

closed as (
    select
        year_frame.period_id,
        year_frame.la_code,
        count(episodes.episode_id) as episodes_closed,
        sum(case when episodes.end_reason_code = 'OUTCOMES_MET' then 1 else 0 end) as outcomes_met,
        sum(case when episodes.stepped_up_within_12_months then 1 else 0 end) as stepped_up
    from year_frame
    left join episodes
        on year_frame.la_code = episodes.la_code
        and year_frame.financial_year = episodes.end_financial_year
    group by year_frame.period_id, year_frame.la_code
)

{{ measure_row('P1_EARLY_HELP_FAMILIES', 'count_families_open', 'count', 'families', relation='open_at_snapshot') }}
union all
{{ measure_row('P1_EARLY_HELP_FAMILIES', 'count_children_open', 'count', 'children', relation='open_at_snapshot') }}
union all
{{ measure_row('P1_EARLY_HELP_FAMILIES', 'count_episodes_started', 'count', 'episodes_started', relation='started') }}
union all
{{ measure_row('P1_EARLY_HELP_FAMILIES', 'count_families_started', 'count', 'families_started', relation='started') }}
union all
{{ measure_row('P1_EARLY_HELP_FAMILIES', 'count_closed', 'count', 'episodes_closed', relation='closed') }}
union all
{{ measure_row('P1_EARLY_HELP_FAMILIES', 'pct_outcomes_achieved', 'percent', 'outcomes_met', 'episodes_closed', relation='closed') }}
union all
{{ measure_row('P1_EARLY_HELP_FAMILIES', 'pct_step_up_12m', 'percent', 'stepped_up', 'episodes_closed', relation='closed') }}
