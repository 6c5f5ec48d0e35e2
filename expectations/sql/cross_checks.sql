-- Published figures against an independent path to the same number.
--
-- 1. Children looked after at 31 March: P3_CLA_RATE's count (built from episodes, through
--    intermediate.int_looked_after_at_snapshot) against the children with a legal status open
--    that day in the legal status records, short breaks (V3, V4) excluded. Both are shown with
--    the episode count itself, so a failure says which path disagrees.
-- 2. Population denominators: every headline rate's denominator against the ONS mid-year
--    estimate summed afresh from stg_ons__mid_year_estimates, for the ages its unit or measure
--    uses (expectations/rate_denominators.csv) and the latest estimate published for the
--    period's mid-year (the one the warehouse must fall back to before ONS publishes).
with boroughs as (
    select cast(la_code as varchar) as la_code, ons_code, combined_area_code from reference.boroughs
),

areas as (
    select ons_code as area_code, ons_code as member_code from boroughs
    union all
    select combined_area_code, ons_code from boroughs where combined_area_code is not null
),

year_ends as (
    select period_id, period_type, period_end from intermediate.int_reporting_periods where is_year_end_snapshot
),

from_episodes as (
    select boroughs.ons_code as member_code, year_ends.period_end, count(distinct snapshot.person_id) as children
    from intermediate.int_looked_after_at_snapshot as snapshot
    inner join year_ends on snapshot.period_id = year_ends.period_id
    inner join boroughs on snapshot.la_code = boroughs.la_code
    group by boroughs.ons_code, year_ends.period_end
),

from_legal_statuses as (
    select boroughs.ons_code as member_code, year_ends.period_end, count(distinct legal.person_id) as children
    from staging.stg_mosaic__legal_statuses as legal
    inner join year_ends
        on legal.start_date <= year_ends.period_end
        and (legal.end_date is null or legal.end_date > year_ends.period_end)
    inner join boroughs on cast(legal.la_code as varchar) = boroughs.la_code
    where not legal.is_short_break
    group by boroughs.ons_code, year_ends.period_end
),

looked_after as (
    select
        'children looked after at 31 March' as cross_check,
        figures.measure_id, figures.area_code, figures.period_label, figures.statistic, figures.breakdown, figures.breakdown_value,
        figures.value as figure,
        sum(coalesce(from_legal_statuses.children, 0)) as independent,
        'episodes ' || cast(sum(coalesce(from_episodes.children, 0)) as varchar)
            || ', legal statuses open that day ' || cast(sum(coalesce(from_legal_statuses.children, 0)) as varchar) as detail
    from {schema}.outcome_measures as figures
    inner join year_ends on figures.period_type = year_ends.period_type and figures.period_end = year_ends.period_end
    inner join areas on figures.area_code = areas.area_code
    left join from_episodes on from_episodes.member_code = areas.member_code and from_episodes.period_end = figures.period_end
    left join from_legal_statuses on from_legal_statuses.member_code = areas.member_code and from_legal_statuses.period_end = figures.period_end
    where figures.measure_id = 'P3_CLA_RATE' and figures.statistic = 'count' and figures.breakdown = 'all'
    group by figures.measure_id, figures.area_code, figures.period_label, figures.statistic, figures.breakdown, figures.breakdown_value, figures.value
),

rate_rules as (
    select * from read_csv('{expectations_dir}/rate_denominators.csv', header = true, all_varchar = true)
),

rates as (
    select
        figures.*,
        periods.mid_year,
        cast(rate_rules.min_age as integer) as min_age,
        cast(rate_rules.max_age as integer) as max_age,
        row_number() over (
            partition by figures.measure_id, figures.area_code, figures.period_type, figures.period_end, figures.statistic
            order by (rate_rules.measure_id <> '*') desc, (rate_rules.statistic <> '*') desc
        ) as specificity
    from {schema}.outcome_measures as figures
    inner join intermediate.int_reporting_periods as periods
        on figures.period_type = periods.period_type and figures.period_end = periods.period_end
    inner join rate_rules
        on rate_rules.unit = figures.unit
        and rate_rules.measure_id in ('*', figures.measure_id)
        and rate_rules.statistic in ('*', figures.statistic)
    where figures.breakdown = 'all' and figures.denominator is not null and figures.value_source = 'computed'
),

estimate_years as (
    select area_code, mid_year from staging.stg_ons__mid_year_estimates group by area_code, mid_year
),

ons as (
    select
        rates.measure_id, rates.area_code, rates.period_label, rates.statistic, rates.breakdown, rates.breakdown_value,
        rates.denominator, rates.mid_year, rates.min_age, rates.max_age, areas.member_code,
        (select max(years.mid_year) from estimate_years as years where years.area_code = areas.member_code and years.mid_year <= rates.mid_year) as year_used
    from rates
    inner join areas on rates.area_code = areas.area_code
    where rates.specificity = 1
),

population as (
    select
        'population denominator' as cross_check,
        ons.measure_id, ons.area_code, ons.period_label, ons.statistic, ons.breakdown, ons.breakdown_value,
        ons.denominator as figure,
        -- An estimate with no one of those ages is a population of 0; no estimate at all is null.
        case when max(ons.year_used) is null then null else coalesce(sum(estimates.population), 0) end as independent,
        'ONS mid-' || cast(max(ons.year_used) as varchar) || ' estimate, ages ' || cast(max(ons.min_age) as varchar)
            || '-' || cast(max(ons.max_age) as varchar) || ': ' || cast(coalesce(sum(estimates.population), 0) as varchar) as detail
    from ons
    left join staging.stg_ons__mid_year_estimates as estimates
        on estimates.area_code = ons.member_code
        and estimates.mid_year = ons.year_used
        and estimates.age between ons.min_age and ons.max_age
    group by ons.measure_id, ons.area_code, ons.period_label, ons.statistic, ons.breakdown, ons.breakdown_value, ons.denominator
)

select *, figure - independent as difference from looked_after
union all
select *, figure - independent as difference from population
