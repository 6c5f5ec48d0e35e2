-- Population denominators by the ONS mid-year a period needs (see `mid_year` in
-- int_reporting_periods: mid-2022 for 2022-23). Before ONS publishes that year, the latest
-- available estimate stands in, and `mid_year_used` says which one was used.
with population as (
    select * from {{ ref('int_population') }}
),

needed as (
    select distinct mid_year from {{ ref('int_reporting_periods') }}
),

candidates as (
    select
        population.la_code,
        needed.mid_year,
        population.mid_year as mid_year_used,
        population.population_0_17,
        population.population_10_17,
        row_number() over (
            partition by population.la_code, needed.mid_year
            order by population.mid_year desc
        ) as recency
    from needed
    inner join population
        on population.mid_year <= needed.mid_year
)

select
    la_code,
    mid_year,
    mid_year_used,
    population_0_17,
    population_10_17
from candidates
where recency = 1
