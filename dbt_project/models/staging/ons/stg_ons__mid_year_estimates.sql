with source as (
    {{ from_latest_extract('ons', 'mid_year_estimates') }}
)

select
    ladcode as area_code,
    laname as area_name,
    cast(sex as integer) as sex,
    age,
    mid_year,
    population,
    _extract_id as release_id
from source
where population is not null
