-- One row per pupil, school and academic year: the unit of the attendance, exclusion and
-- attainment measures. Characteristics are those of the census chosen for the pupil-year in
-- int_pupil_year_totals (the spring census, or the latest of the year at the school), and
-- sessions and exclusions are summed over the year there. A pupil who moved school has a row
-- for each school, as in the DfE's enrolment-based absence statistics.
--
-- Shaped for national volume (some 75 million census rows; docs/benchmarks.md, items 20, 34
-- and 36): the characteristics are joined on the census's primary key (urn, upn_key,
-- census_date) from int_pupil_census, a view whose joins run on the rows it returns, read once;
-- the social care status is joined to the chosen census only, not to every census row. Each
-- join is at most one row per pupil-year, so the key (urn, upn_key, academic_year) is unique
-- here as in int_pupil_year_totals (tested here).
with pupil_years as (
    select * from {{ ref('int_pupil_year_totals') }}
),

schools as (
    select urn, phase_group from {{ ref('stg_education__schools') }}
),

boroughs as (
    select la_code from {{ ref('boroughs') }}
)

select
    pupil_years.school_la_code,
    pupil_years.urn,
    pupil_years.upn_key,
    pupil_years.academic_year,
    (boroughs.la_code is not null) as is_borough_school,
    coalesce(schools.phase_group, 'other') as phase_group,
    (pupil_years.on_spring_roll = 1) as is_on_spring_roll,
    census.year_group,
    coalesce(census.is_compulsory_school_age, false) as is_compulsory_school_age,
    census.sex,
    census.ethnicity_group,
    coalesce(census.is_fsm_eligible, false) as is_fsm_eligible,
    -- DfE "disadvantaged": free school meals in the last six years, or looked after now or before.
    coalesce(census.is_fsm_ever_6 or coalesce(status.was_ever_looked_after, false), false) as is_disadvantaged,
    coalesce(census.sen_provision, 'N') as sen_provision,
    coalesce(census.is_eal, false) as is_eal,
    -- Each pupil in one group: looked after, else on a CP plan, else in need.
    case
        when status.is_looked_after then 'looked_after'
        when status.is_on_cp_plan then 'child_protection_plan'
        when status.is_child_in_need then 'child_in_need'
        else 'not_in_need'
    end as social_care_group,
    status.mosaic_la_code,
    coalesce(census.is_resident, false) as is_resident,
    coalesce(pupil_years.sessions_possible, 0) as sessions_possible,
    coalesce(pupil_years.sessions_absent, 0) as sessions_absent,
    coalesce(pupil_years.sessions_unauthorised_absence, 0) as sessions_unauthorised_absence,
    coalesce(pupil_years.suspensions, 0) as suspensions,
    coalesce(pupil_years.permanent_exclusions, 0) as permanent_exclusions
from pupil_years
left join {{ ref('int_pupil_census') }} as census
    on pupil_years.urn = census.urn
    and pupil_years.upn_key = census.upn_key
    and pupil_years.census_date = census.census_date
left join {{ ref('int_pupil_social_care_status') }} as status
    on pupil_years.upn_key = status.upn_key
    and pupil_years.census_date = status.census_date
left join schools
    on pupil_years.urn = schools.urn
left join boroughs
    on pupil_years.school_la_code = boroughs.la_code
