-- Census rows with what the models need alongside: the school's phase and borough, the
-- pupil's age at the start of the academic year (compulsory school age is 5-15 then), the
-- Census 2021 ethnic group, the social care status on census day and the DfE social care
-- group (looked after, else on a CP plan, else in need: each pupil in one group), and the DfE
-- "disadvantaged" flag (free school meals in the last six years, or looked after now or before).
-- It carries only the columns later models read. The table has some 75 million rows at
-- national volume, and the 15 columns no model read (the delivered codes behind the derived
-- flags, entry date, postcode sector, the status flags behind the social care group) took a
-- third of the time to build it (docs/benchmarks.md, item 20). They stay in the staging view.
with census as (
    select * from {{ ref('stg_education__census_pupils') }}
),

schools as (
    select urn, phase_code, phase_group from {{ ref('stg_education__schools') }}
),

status as (
    select * from {{ ref('int_pupil_social_care_status') }}
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
        {{ age_at('census.date_of_birth', date_in_year('census.academic_year - 1', '08-31')) }} as age_at_start_of_year,
        status.mosaic_la_code,
        coalesce(status.is_child_in_need, false) as is_child_in_need,
        coalesce(status.is_on_cp_plan, false) as is_on_cp_plan,
        coalesce(status.is_looked_after, false) as is_looked_after,
        coalesce(status.was_ever_looked_after, false) as was_ever_looked_after
    from census
    left join schools
        on census.urn = schools.urn
    left join boroughs
        on census.school_la_code = boroughs.la_code
    left join ethnicity
        on census.ethnicity = ethnicity.ethnicity_code
    left join status
        on census.upn_key = status.upn_key and census.census_date = status.census_date
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
    joined.mosaic_la_code,
    (joined.age_at_start_of_year between 5 and 15) as is_compulsory_school_age,
    -- Headcounts take single and main registrations, so a dual-registered pupil counts once.
    (joined.enrol_status in ('C', 'M')) as is_in_headcount,
    case
        when joined.is_looked_after then 'looked_after'
        when joined.is_on_cp_plan then 'child_protection_plan'
        when joined.is_child_in_need then 'child_in_need'
        else 'not_in_need'
    end as social_care_group,
    (joined.is_fsm_ever_6 or joined.was_ever_looked_after) as is_disadvantaged,
    (joined.resident_la_code = joined.school_la_code) as is_resident
from joined
