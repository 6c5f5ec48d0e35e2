-- One row per pupil, school and academic year: the unit of the attendance, exclusion and
-- attainment measures. Characteristics are those of the spring census (the DfE's January
-- census) or, for a pupil not on roll then, of their latest census of the year at the school.
-- Sessions and exclusions are summed over the year. A pupil who moved school has a row for
-- each school, as in the DfE's enrolment-based absence statistics.
-- The census a pupil-year takes its characteristics from is found by an aggregate and a join,
-- not a row_number() window: at national volume a window sorts some 75 million census rows
-- with all their columns, where a group-by on the key is a hash table of four narrow columns.
-- (urn, upn_key, census_date) is the census's primary key, and a year has one spring census.
with census as (
    select * from {{ ref('int_pupil_census') }}
),

chosen_census as (
    select
        urn,
        upn_key,
        academic_year,
        coalesce(
            max(case when census_term = 'SPR' then census_date end),
            max(census_date)
        ) as census_date,
        max(case when census_term = 'SPR' and is_in_headcount then 1 else 0 end) as on_spring_roll
    from census
    group by urn, upn_key, academic_year
),

characteristics as (
    select
        census.*,
        chosen_census.on_spring_roll
    from chosen_census
    inner join census
        on chosen_census.urn = census.urn
        and chosen_census.upn_key = census.upn_key
        and chosen_census.census_date = census.census_date
),

attendance as (
    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
        sum(sessions_possible) as sessions_possible,
        sum(sessions_absent) as sessions_absent,
        sum(sessions_unauthorised_absence) as sessions_unauthorised_absence
    from {{ ref('stg_education__attendance') }}
    group by school_la_code, urn, upn_key, academic_year
),

exclusions as (
    select
        school_la_code,
        urn,
        upn_key,
        academic_year,
        sum(case when is_suspension then 1 else 0 end) as suspensions,
        max(case when is_permanent then 1 else 0 end) as permanent_exclusions
    from {{ ref('stg_education__exclusions') }}
    group by school_la_code, urn, upn_key, academic_year
),

enrolments as (
    select school_la_code, urn, upn_key, academic_year from characteristics
    union
    select school_la_code, urn, upn_key, academic_year from attendance
    union
    select school_la_code, urn, upn_key, academic_year from exclusions
),

schools as (
    select urn, phase_group from {{ ref('stg_education__schools') }}
),

boroughs as (
    select la_code from {{ ref('boroughs') }}
)

select
    enrolments.school_la_code,
    enrolments.urn,
    enrolments.upn_key,
    enrolments.academic_year,
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
    coalesce(attendance.sessions_possible, 0) as sessions_possible,
    coalesce(attendance.sessions_absent, 0) as sessions_absent,
    coalesce(attendance.sessions_unauthorised_absence, 0) as sessions_unauthorised_absence,
    coalesce(exclusions.suspensions, 0) as suspensions,
    coalesce(exclusions.permanent_exclusions, 0) as permanent_exclusions
from enrolments
left join characteristics
    on enrolments.urn = characteristics.urn
    and enrolments.upn_key = characteristics.upn_key
    and enrolments.academic_year = characteristics.academic_year
left join attendance
    on enrolments.urn = attendance.urn
    and enrolments.upn_key = attendance.upn_key
    and enrolments.academic_year = attendance.academic_year
left join exclusions
    on enrolments.urn = exclusions.urn
    and enrolments.upn_key = exclusions.upn_key
    and enrolments.academic_year = exclusions.academic_year
left join schools
    on enrolments.urn = schools.urn
left join boroughs
    on enrolments.school_la_code = boroughs.la_code
