-- Census rows with what the models need alongside: the school's phase and borough, the
-- pupil's age at the start of the academic year (compulsory school age is 5-15 then), the
-- Census 2021 ethnic group, headcount and residence, and free school meals in the last six
-- years (half of the DfE "disadvantaged" flag; int_pupil_years adds the other half).
-- A view, not a table: at national volume it has some 75 million rows, and writing them took a
-- quarter of the dbt build while its readers use a slice each (a term, the headcount, a few
-- columns) and join only small tables to it. The one expensive join, to the social care status
-- of some 19 million census days, is made in int_pupil_years on the census chosen for each
-- pupil-year (28 million rows), not here on every census row (docs/benchmarks.md, item 34).
-- It carries only the columns later models read; the rest stay in the staging view.
{{ config(materialized='view') }}

with census as (
    select * from {{ ref('stg_education__census_pupils') }}
),

schools as (
    select urn, phase_code, phase_group from {{ ref('stg_education__schools') }}
),

ethnicity as (
    select ethnicity_code, census_2021_group from {{ ref('ethnicity_groups') }}
),

boroughs as (
    select la_code from {{ ref('boroughs') }}
),

joined as (
    select
        census.*,
        schools.phase_code,
        coalesce(schools.phase_group, 'other') as phase_group,
        (boroughs.la_code is not null) as is_borough_school,
        ethnicity.census_2021_group as ethnicity_group,
        {{ age_at('census.date_of_birth', date_in_year('census.academic_year - 1', '08-31')) }} as age_at_start_of_year
    from census
    left join schools
        on census.urn = schools.urn
    left join boroughs
        on census.school_la_code = boroughs.la_code
    left join ethnicity
        on census.ethnicity = ethnicity.ethnicity_code
)

select
    joined.school_la_code,
    joined.urn,
    joined.census_date,
    joined.census_term,
    joined.academic_year,
    joined.upn_key,
    joined.date_of_birth,
    joined.sex,
    joined.is_eal,
    joined.is_fsm_eligible,
    joined.sen_provision,
    joined.year_group,
    joined.phase_code,
    joined.phase_group,
    joined.is_borough_school,
    joined.ethnicity_group,
    (joined.age_at_start_of_year between 5 and 15) as is_compulsory_school_age,
    joined.is_in_headcount,
    joined.is_fsm_ever_6,
    (joined.resident_la_code = joined.school_la_code) as is_resident
from joined
