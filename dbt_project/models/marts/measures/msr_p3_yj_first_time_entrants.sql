-- P3_YJ_FTE: first-time entrants to the youth justice system, children aged 10-17 living in the
-- borough, per rolling 12 months (the YJB period), financial year and quarter; the rate per
-- 100,000 aged 10-17 uses the ONS mid-year estimate of the period's year. These are the YJS case
-- system's own counts, a LOCAL PROXY for the YJB/MoJ figures published from the Police National
-- Computer (the measure catalogue labels the source). Counts by route (caution or court), sex and
-- Census 2021 ethnic group.
with frame as (
    {{ area_periods(['rolling_12_months', 'financial_year', 'quarter']) }}
),

entrants as (
    select * from {{ ref('int_yj_first_time_entrants') }}
),

in_period as (
    select frame.period_id, frame.la_code, entrants.person_id, entrants.route, entrants.sex, entrants.census_2021_group
    from frame
    inner join entrants
        on frame.la_code = entrants.la_code
        and entrants.entry_date between frame.period_start and frame.period_end
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        frame.period_type,
        max(denominators.population_10_17) as population_10_17,
        count(in_period.person_id) as entrants
    from frame
    left join in_period
        on frame.period_id = in_period.period_id and frame.la_code = in_period.la_code
    left join {{ ref('int_denominators') }} as denominators
        on frame.la_code = denominators.la_code and frame.mid_year = denominators.mid_year
    group by frame.period_id, frame.la_code, frame.period_type
),

tagged as (
    select period_id, la_code, person_id, 'route' as breakdown, route as breakdown_value from in_period
    union all
    select period_id, la_code, person_id, 'sex', sex from in_period where sex is not null
    union all
    select period_id, la_code, person_id, 'ethnicity', census_2021_group from in_period
),

breakdown_values as (
    select 'route' as breakdown, 'caution' as breakdown_value
    union all select 'route', 'court'
    union all select 'sex', 'M'
    union all select 'sex', 'F'
    union all select distinct 'ethnicity', census_2021_group from {{ ref('ethnicity_groups') }}
    union all select distinct breakdown, breakdown_value from tagged
),

by_breakdown as (
    select frame.period_id, frame.la_code, values_.breakdown, values_.breakdown_value, count(tagged.person_id) as entrants
    from frame
    cross join (select distinct breakdown, breakdown_value from breakdown_values) as values_
    left join tagged
        on frame.period_id = tagged.period_id
        and frame.la_code = tagged.la_code
        and values_.breakdown = tagged.breakdown
        and values_.breakdown_value = tagged.breakdown_value
    group by frame.period_id, frame.la_code, values_.breakdown, values_.breakdown_value
)

{{ measure_row('P3_YJ_FTE', 'count', 'count', 'entrants') }}
union all
{{ measure_row('P3_YJ_FTE', 'rate_per_100k', 'rate_per_100k', 'entrants', 'population_10_17', where="period_type in ('rolling_12_months', 'financial_year')") }}
union all
{{ measure_row('P3_YJ_FTE', 'count', 'count', 'entrants', breakdown='breakdown', breakdown_value='breakdown_value', relation='by_breakdown') }}
