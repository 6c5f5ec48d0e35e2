-- One row per pupil, school and academic year: the unit of the attendance, exclusion and
-- attainment measures. Characteristics are those of the spring census (the DfE's January
-- census) or, for a pupil not on roll then, of their latest census of the year at the school.
-- Sessions and exclusions are summed over the year. A pupil who moved school has a row for
-- each school, as in the DfE's enrolment-based absence statistics.
--
-- Shaped for national volume (some 75 million census rows; docs/benchmarks.md, items 20 and 34):
-- - the census a pupil-year takes its characteristics from is found by a group-by of the
--   census (`chosen_census`), not by a row_number() window, which would sort every census row
--   with all its columns. That group-by reads only the census's own columns, from the staging
--   view;
-- - its rows, one per pupil-year, are stacked with the attendance and exclusion rows, narrow,
--   and one group-by gives each pupil-year its sums and its chosen census day; the
--   characteristics are then joined on the census's primary key (urn, upn_key, census_date).
--   The census rows themselves went into that group-by before (144 million rows where there
--   are now 96 million), and a second join of two 28-million-row results put the chosen
--   census and the sums together;
-- - int_pupil_census is a view, whose joins run on the rows it returns, and is read once;
-- - the social care status is joined to the chosen census only, not to every census row;
-- - no common table expression is used twice: an engine may materialise such a CTE (DuckDB
--   wrote out the whole census, 2 GB at ten times the bi-borough volume, to read it a second
--   time).
-- Both group-bys take the school's LA as part of the key, and each pupil-year (urn, upn_key,
-- academic_year) has one LA: the key is unique in this table (tested).
with chosen_census as (
    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
        coalesce(
            max(case when census_term = 'SPR' then census_date end),
            max(census_date)
        ) as census_date,
        max(case when census_term = 'SPR' and is_in_headcount then 1 else 0 end) as on_spring_roll
    from {{ ref('stg_education__census_pupils') }}
    group by school_la_code, urn, upn_key, academic_year
),

stacked as (
    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
        census_date,
        on_spring_roll,
        cast(null as bigint) as sessions_possible,
        cast(null as bigint) as sessions_absent,
        cast(null as bigint) as sessions_unauthorised_absence,
        0 as suspensions,
        0 as permanent_exclusions
    from chosen_census

    union all

    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
        cast(null as date) as census_date,
        0 as on_spring_roll,
        sessions_possible,
        sessions_absent,
        sessions_unauthorised_absence,
        0 as suspensions,
        0 as permanent_exclusions
    from {{ ref('stg_education__attendance') }}

    union all

    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
        cast(null as date) as census_date,
        0 as on_spring_roll,
        cast(null as bigint) as sessions_possible,
        cast(null as bigint) as sessions_absent,
        cast(null as bigint) as sessions_unauthorised_absence,
        case when is_suspension then 1 else 0 end as suspensions,
        case when is_permanent then 1 else 0 end as permanent_exclusions
    from {{ ref('stg_education__exclusions') }}
),

pupil_years as (
    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
        max(census_date) as census_date,
        max(on_spring_roll) as on_spring_roll,
        sum(sessions_possible) as sessions_possible,
        sum(sessions_absent) as sessions_absent,
        sum(sessions_unauthorised_absence) as sessions_unauthorised_absence,
        sum(suspensions) as suspensions,
        max(permanent_exclusions) as permanent_exclusions
    from stacked
    group by school_la_code, urn, upn_key, academic_year
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
