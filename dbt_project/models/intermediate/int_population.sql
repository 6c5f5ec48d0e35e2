-- Denominators: ONS mid-year estimates for the boroughs in the service, by age band. The
-- mid-year that falls inside a financial year is used for that year (mid-2022 for 2022-23).
with estimates as (
    select * from {{ ref('stg_ons__mid_year_estimates') }}
),

boroughs as (
    select * from {{ ref('boroughs') }}
)

select
    boroughs.la_code,
    estimates.mid_year,
    estimates.release_id,
    sum(case when estimates.age <= 17 then estimates.population else 0 end) as population_0_17,
    sum(case when estimates.age between 10 and 17 then estimates.population else 0 end) as population_10_17,
    sum(estimates.population) as population_all_ages
from estimates
inner join boroughs
    on estimates.area_code = boroughs.ons_code
group by boroughs.la_code, estimates.mid_year, estimates.release_id
