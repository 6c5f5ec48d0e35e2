-- Census 2021 usual residents by ethnic group and age band, one row per area, age band and
-- detailed ethnic category (the delivered table is wide: one column per category). Groups are
-- named as in the seed `ethnicity_groups`, so a DfE ethnicity code and a census column meet on
-- the same Census 2021 group. Arab has no DfE code of its own: it is part of "Other ethnic group".
{%- set categories = [
    ('asian_bangladeshi', 'Asian or Asian British', 'Asian: Bangladeshi'),
    ('asian_chinese', 'Asian or Asian British', 'Asian: Chinese'),
    ('asian_indian', 'Asian or Asian British', 'Asian: Indian'),
    ('asian_pakistani', 'Asian or Asian British', 'Asian: Pakistani'),
    ('asian_other', 'Asian or Asian British', 'Asian: Other Asian'),
    ('black_african', 'Black, Black British, Caribbean or African', 'Black: African'),
    ('black_caribbean', 'Black, Black British, Caribbean or African', 'Black: Caribbean'),
    ('black_other', 'Black, Black British, Caribbean or African', 'Black: Other Black'),
    ('mixed_white_asian', 'Mixed or Multiple', 'Mixed: White and Asian'),
    ('mixed_white_black_african', 'Mixed or Multiple', 'Mixed: White and Black African'),
    ('mixed_white_black_caribbean', 'Mixed or Multiple', 'Mixed: White and Black Caribbean'),
    ('mixed_other', 'Mixed or Multiple', 'Mixed: Other Mixed or Multiple ethnic groups'),
    ('white_british', 'White', 'White: English, Welsh, Scottish, Northern Irish or British'),
    ('white_irish', 'White', 'White: Irish'),
    ('white_gypsy_irish_traveller', 'White', 'White: Gypsy or Irish Traveller'),
    ('white_roma', 'White', 'White: Roma'),
    ('white_other', 'White', 'White: Other White'),
    ('other_arab', 'Other ethnic group', 'Other: Arab'),
    ('other_any', 'Other ethnic group', 'Other: Any other ethnic group'),
] %}

with source as (
    {{ from_latest_extract('census', 'ethnic_group_by_age') }}
),

bands as (
    select
        source.*,
        -- Age band codes are whole years 'from-to' or 'from+' (code set census_age_band).
        cast(split_part(replace(age_band, '+', ''), '-', 1) as integer) as age_from,
        case
            when age_band like '%+' then 120
            else cast(split_part(age_band, '-', 2) as integer)
        end as age_to
    from source
)

{% for column, group_name, category in categories -%}
select
    geography_code as area_code,
    geography as area_name,
    census_year,
    age_band,
    age_from,
    age_to,
    '{{ group_name }}' as census_2021_group,
    '{{ category }}' as census_2021_category,
    {{ column }} as population,
    _extract_id as release_id
from bands
{% if not loop.last %}union all
{% endif -%}
{%- endfor %}
