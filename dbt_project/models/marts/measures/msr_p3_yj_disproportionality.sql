-- P3_YJ_DISPROPORTIONALITY: each Census 2021 ethnic group's share of a cohort against its share
-- of the borough's population of the same age in Census 2021 (10-17 for youth justice, 0-17
-- for looked-after children), and the disproportionality ratio
--     observed ÷ expected,  expected = cohort (known ethnicity) × the group's population share
-- (1 = in proportion; 2 = twice as many as the population would suggest). Pooled over the
-- bi-borough, observed and expected are both summed, so the pooled ratio compares the
-- bi-borough cohort with what each borough's own population would predict. Children whose
-- ethnicity is not known are left out of the cohort. Cohorts:
--   yj_cohort            children given any youth justice outcome in the period (WCC's
--                        "children receiving a YJS disposal");
--   first_time_entrants  first-time entrants in the period;
--   looked_after         children looked after at the snapshot date.
-- The percentage-point difference the councils print is the difference of the two shares.
with yj_frame as (
    {{ area_periods(['financial_year', 'rolling_12_months']) }}
),

snapshot_frame as (
    {{ area_periods(['snapshot']) }}
),

groups as (
    select distinct census_2021_group from {{ ref('ethnicity_groups') }}
    where census_2021_group <> 'Not known'
),

census as (
    select
        population.la_code,
        population.age_range,
        population.census_2021_group,
        population.population,
        sum(population.population) over (partition by population.la_code, population.age_range) as population_total
    from {{ ref('int_census_ethnic_population') }} as population
),

yj_members as (
    select distinct yj_frame.period_id, yj_frame.la_code, 'yj_cohort' as cohort, outcomes.person_id, outcomes.census_2021_group
    from yj_frame
    inner join {{ ref('int_yj_outcomes') }} as outcomes
        on yj_frame.la_code = outcomes.la_code
        and outcomes.outcome_date between yj_frame.period_start and yj_frame.period_end
    union all
    select yj_frame.period_id, yj_frame.la_code, 'first_time_entrants', entrants.person_id, entrants.census_2021_group
    from yj_frame
    inner join {{ ref('int_yj_first_time_entrants') }} as entrants
        on yj_frame.la_code = entrants.la_code
        and entrants.entry_date between yj_frame.period_start and yj_frame.period_end
),

lac_members as (
    select looked_after.period_id, looked_after.la_code, 'looked_after' as cohort, looked_after.person_id,
        coalesce(ethnicity_groups.census_2021_group, 'Not known') as census_2021_group
    from {{ ref('int_looked_after_at_snapshot') }} as looked_after
    left join {{ ref('ethnicity_groups') }} as ethnicity_groups
        on looked_after.ethnicity = ethnicity_groups.ethnicity_code
),

frames as (
    select period_id, la_code, 'yj_cohort' as cohort, '10-17' as age_range from yj_frame
    union all
    select period_id, la_code, 'first_time_entrants', '10-17' from yj_frame
    union all
    select period_id, la_code, 'looked_after', '0-17' from snapshot_frame
),

members as (
    select * from yj_members where census_2021_group <> 'Not known'
    union all
    select * from lac_members where census_2021_group <> 'Not known'
),

known as (
    select frames.period_id, frames.la_code, frames.cohort, count(members.person_id) as known_total
    from frames
    left join members
        on frames.period_id = members.period_id and frames.la_code = members.la_code and frames.cohort = members.cohort
    group by frames.period_id, frames.la_code, frames.cohort
),

by_group as (
    select
        frames.period_id,
        frames.la_code,
        frames.cohort,
        groups.census_2021_group,
        count(members.person_id) as observed,
        max(known.known_total) as known_total,
        -- No Census table delivered (or no residents of that group and age): a population of
        -- zero, so the shares and the ratio come out undefined rather than the row vanishing.
        coalesce(max(census.population), 0) as population,
        coalesce(max(census.population_total), 0) as population_total,
        max(known.known_total) * max(census.population) / nullif(max(census.population_total), 0) as expected
    from frames
    cross join groups
    inner join known
        on frames.period_id = known.period_id and frames.la_code = known.la_code and frames.cohort = known.cohort
    left join census
        on frames.la_code = census.la_code and frames.age_range = census.age_range
        and groups.census_2021_group = census.census_2021_group
    left join members
        on frames.period_id = members.period_id and frames.la_code = members.la_code
        and frames.cohort = members.cohort and groups.census_2021_group = members.census_2021_group
    group by frames.period_id, frames.la_code, frames.cohort, groups.census_2021_group
)

{%- set cohorts = [
    ('yj_cohort', 'yj_cohort', 'population_10_17'),
    ('first_time_entrants', 'first_time_entrants', none),
    ('looked_after', 'looked_after', 'population_0_17'),
] %}
{% for cohort, label, population_label in cohorts %}
{{ measure_row('P3_YJ_DISPROPORTIONALITY', 'count_' ~ label, 'count', 'observed', breakdown="'ethnicity'", breakdown_value='census_2021_group', relation='by_group', where="cohort = '" ~ cohort ~ "'") }}
union all
{{ measure_row('P3_YJ_DISPROPORTIONALITY', 'pct_of_' ~ label, 'percent', 'observed', 'known_total', breakdown="'ethnicity'", breakdown_value='census_2021_group', relation='by_group', where="cohort = '" ~ cohort ~ "'") }}
union all
{{ measure_row('P3_YJ_DISPROPORTIONALITY', 'ratio_' ~ label, 'ratio', 'observed', 'expected', breakdown="'ethnicity'", breakdown_value='census_2021_group', relation='by_group', where="cohort = '" ~ cohort ~ "'") }}
{% if population_label %}
union all
{{ measure_row('P3_YJ_DISPROPORTIONALITY', 'pct_of_' ~ population_label, 'percent', 'population', 'population_total', breakdown="'ethnicity'", breakdown_value='census_2021_group', relation='by_group', where="cohort = '" ~ cohort ~ "'") }}
{% endif %}
{% if not loop.last %}union all{% endif %}
{% endfor %}
