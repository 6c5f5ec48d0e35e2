-- Census 2021 population of each borough in the service by Census 2021 ethnic group, for the
-- age ranges disproportionality compares with: 10-17 (youth justice) and 0-17 (social care).
-- Only age bands lying wholly inside a range count; `years_covered` says how many single years
-- they add up to, and a test fails unless the bands tile the range exactly (8 and 18 years).
with census as (
    select * from {{ ref('stg_census__ethnic_group_by_age') }}
),

boroughs as (
    select * from {{ ref('boroughs') }}
),

ranges as (
    select '10-17' as age_range, 10 as age_from, 17 as age_to
    union all
    select '0-17' as age_range, 0 as age_from, 17 as age_to
),

in_range as (
    select
        boroughs.la_code,
        ranges.age_range,
        census.age_band,
        census.age_from,
        census.age_to,
        census.census_2021_group,
        census.population
    from census
    inner join boroughs
        on census.area_code = boroughs.ons_code
    inner join ranges
        on census.age_from >= ranges.age_from
        and census.age_to <= ranges.age_to
),

coverage as (
    select la_code, age_range, sum(age_to - age_from + 1) as years_covered
    from (select distinct la_code, age_range, age_band, age_from, age_to from in_range) as bands
    group by la_code, age_range
)

select
    in_range.la_code,
    in_range.age_range,
    in_range.census_2021_group,
    sum(in_range.population) as population,
    max(coverage.years_covered) as years_covered
from in_range
inner join coverage
    on in_range.la_code = coverage.la_code
    and in_range.age_range = coverage.age_range
group by in_range.la_code, in_range.age_range, in_range.census_2021_group
