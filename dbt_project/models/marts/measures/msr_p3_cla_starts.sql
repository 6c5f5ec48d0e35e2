-- P3_CLA_STARTS: children who started a new period of care in the period (the first episode of
-- the period; periods of short breaks only are left out), also per 10,000 aged 0-17; by age at
-- the start (including 16-17), UASC status, legal status and category of need when care began,
-- and ethnicity. `count_non_uasc` by age band gives the councils' "local" entries aged 16+.
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

first_episodes as (
    select
        la_code,
        period_of_care_id,
        legal_status_code,
        category_of_need_code,
        row_number() over (partition by la_code, period_of_care_id order by start_date, episode_id) as position
    from {{ ref('int_cla_episodes') }}
),

starts as (
    select
        frame.period_id,
        periods.la_code,
        periods.person_id,
        periods.was_uasc,
        {{ uasc_label('periods.was_uasc') }} as uasc,
        {{ cla_age_band_of('periods.age_at_start') }} as age_band,
        coalesce(first_episodes.legal_status_code, 'Not known') as legal_status,
        coalesce(first_episodes.category_of_need_code, 'Not known') as category_of_need,
        coalesce(groups.census_2021_group, 'Not known') as ethnicity
    from {{ ref('int_cla_periods') }} as periods
    inner join frame
        on periods.la_code = frame.la_code
        and periods.start_date between frame.period_start and frame.period_end
    left join first_episodes
        on periods.la_code = first_episodes.la_code
        and periods.period_of_care_id = first_episodes.period_of_care_id
        and first_episodes.position = 1
    left join {{ ref('ethnicity_groups') }} as groups
        on periods.ethnicity = groups.ethnicity_code
    where not periods.is_short_breaks_only
),

long as (
    {{ long_breakdowns('starts', ['period_id', 'la_code', 'person_id', 'was_uasc'], ['age_band', 'uasc', 'legal_status', 'category_of_need', 'ethnicity']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        denominators.population_0_17,
        count(distinct long.person_id) as children,
        count(distinct case when not long.was_uasc then long.person_id end) as children_non_uasc
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    left join {{ ref('int_denominators') }} as denominators
        on frame.la_code = denominators.la_code and frame.mid_year = denominators.mid_year
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value, denominators.population_0_17
)

{{ measure_row('P3_CLA_STARTS', 'count', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_STARTS', 'rate_per_10k', 'rate_per_10k', 'children', 'population_0_17', where="breakdown = 'all'") }}
union all
{{ measure_row('P3_CLA_STARTS', 'count_non_uasc', 'count', 'children_non_uasc', breakdown='breakdown', breakdown_value='breakdown_value', where="breakdown in ('all', 'age_band')") }}
