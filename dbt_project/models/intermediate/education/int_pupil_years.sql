-- One row per pupil, school and academic year: the unit of the attendance, exclusion and
-- attainment measures. Characteristics are those of the spring census (the DfE's January
-- census) or, for a pupil not on roll then, of their latest census of the year at the school.
-- Sessions and exclusions are summed over the year. A pupil who moved school has a row for
-- each school, as in the DfE's enrolment-based absence statistics.
--
-- Shaped for national volume (some 75 million census rows; docs/benchmarks.md, items 20 and 34):
-- - the census a pupil-year takes its characteristics from is found by a group-by on the key
--   and a join back on the census's primary key (urn, upn_key, census_date), not by a
--   row_number() window, which would sort every census row with all its columns;
-- - only that join back reads int_pupil_census (a view: its joins run on the rows it returns);
--   the group-by and the pupil-years' keys need nothing but the census's own columns, and read
--   the staging view;
-- - the social care status is joined to the chosen census only (28 million rows), not to
--   every census row;
-- - the pupil-years and their sums come from one group-by of the census, attendance and
--   exclusion rows stacked, narrow, where two group-bys, a union of their keys and three joins
--   did before;
-- - no common table expression is used twice: an engine may materialise such a CTE (DuckDB
--   wrote out the whole census, 2 GB at ten times the bi-borough volume, to read it a second
--   time).
with chosen_census as (
    select
        urn,
        upn_key,
        academic_year,
        coalesce(
            max(case when census_term = 'SPR' then census_date end),
            max(census_date)
        ) as census_date,
        max(case when census_term = 'SPR' and is_in_headcount then 1 else 0 end) as on_spring_roll
    from {{ ref('stg_education__census_pupils') }}
    group by urn, upn_key, academic_year
),

-- The social care status is joined here, to the chosen census of each pupil-year, and not to
-- every census row in int_pupil_census: 28 million rows at national volume, not 75 million.
characteristics as (
    select
        census.urn,
        census.upn_key,
        census.academic_year,
        chosen_census.on_spring_roll,
        census.year_group,
        census.is_compulsory_school_age,
        census.sex,
        census.ethnicity_group,
        census.is_fsm_eligible,
        -- DfE "disadvantaged": free school meals in the last six years, or looked after now or before.
        (census.is_fsm_ever_6 or coalesce(status.was_ever_looked_after, false)) as is_disadvantaged,
        census.sen_provision,
        census.is_eal,
        -- Each pupil in one group: looked after, else on a CP plan, else in need.
        case
            when status.is_looked_after then 'looked_after'
            when status.is_on_cp_plan then 'child_protection_plan'
            when status.is_child_in_need then 'child_in_need'
            else 'not_in_need'
        end as social_care_group,
        status.mosaic_la_code,
        census.is_resident
    from chosen_census
    inner join {{ ref('int_pupil_census') }} as census
        on chosen_census.urn = census.urn
        and chosen_census.upn_key = census.upn_key
        and chosen_census.census_date = census.census_date
    left join {{ ref('int_pupil_social_care_status') }} as status
        on census.upn_key = status.upn_key
        and census.census_date = status.census_date
),

stacked as (
    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
        cast(null as bigint) as sessions_possible,
        cast(null as bigint) as sessions_absent,
        cast(null as bigint) as sessions_unauthorised_absence,
        0 as suspensions,
        0 as permanent_exclusions
    from {{ ref('stg_education__census_pupils') }}

    union all

    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
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
    coalesce(characteristics.on_spring_roll = 1, false) as is_on_spring_roll,
    characteristics.year_group,
    coalesce(characteristics.is_compulsory_school_age, false) as is_compulsory_school_age,
    characteristics.sex,
    characteristics.ethnicity_group,
    coalesce(characteristics.is_fsm_eligible, false) as is_fsm_eligible,
    coalesce(characteristics.is_disadvantaged, false) as is_disadvantaged,
    coalesce(characteristics.sen_provision, 'N') as sen_provision,
    coalesce(characteristics.is_eal, false) as is_eal,
    coalesce(characteristics.social_care_group, 'not_in_need') as social_care_group,
    characteristics.mosaic_la_code,
    coalesce(characteristics.is_resident, false) as is_resident,
    coalesce(pupil_years.sessions_possible, 0) as sessions_possible,
    coalesce(pupil_years.sessions_absent, 0) as sessions_absent,
    coalesce(pupil_years.sessions_unauthorised_absence, 0) as sessions_unauthorised_absence,
    coalesce(pupil_years.suspensions, 0) as suspensions,
    coalesce(pupil_years.permanent_exclusions, 0) as permanent_exclusions
from pupil_years
left join characteristics
    on pupil_years.urn = characteristics.urn
    and pupil_years.upn_key = characteristics.upn_key
    and pupil_years.academic_year = characteristics.academic_year
left join schools
    on pupil_years.urn = schools.urn
left join boroughs
    on pupil_years.school_la_code = boroughs.la_code
