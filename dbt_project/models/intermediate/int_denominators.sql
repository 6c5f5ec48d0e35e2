-- Population denominators for each financial year: the ONS mid-year estimate for the mid-year
-- inside the financial year (mid-2022 for 2022-23). Before ONS publishes that year, the latest
-- available estimate stands in; `mid_year_used` says which one was used.
with population as (
    select * from {{ ref('int_population') }}
),

years as (
    select distinct financial_year from {{ ref('int_reporting_periods') }}
),

candidates as (
    select
        population.la_code,
        years.financial_year,
        population.mid_year,
        population.population_0_17,
        population.population_10_17,
        row_number() over (
            partition by population.la_code, years.financial_year
            order by population.mid_year desc
        ) as recency
    from years
    inner join population
        on population.mid_year <= years.financial_year - 1
)

select
    la_code,
    financial_year,
    mid_year as mid_year_used,
    population_0_17,
    population_10_17
from candidates
where recency = 1
