-- One row per pupil, school and academic year, before the characteristics are joined: the
-- census day the pupil-year takes them from, whether the pupil was on the spring roll, and the
-- year's sessions and exclusions. int_pupil_years joins the rest.
--
-- A table of its own, not a step inside int_pupil_years, so that DuckDB knows its size (28
-- million rows at national volume). Inside one query it estimated this group-by at its input,
-- 145 million rows, and so built the join to the census (76 million rows) on the census and
-- spilled most of it; from a table it builds the join on these rows. At 150, on one warehouse,
-- the two tables took 56 and 58 s against 85 and 88 s for the one (docs/benchmarks.md, item 36).
--
-- The census a pupil-year takes its characteristics from is the spring census (the DfE's
-- January census) or, for a pupil not on roll then, the latest census of the year at the
-- school. It is found by a group-by of the census (`chosen_census`), not by a row_number()
-- window, which would sort every census row with all its columns, and that group-by reads only
-- the census's own columns, from the staging view. Its rows, one per pupil-year, are stacked
-- with the attendance and exclusion rows, narrow, and one group-by gives each pupil-year its
-- sums and its chosen census day (docs/benchmarks.md, items 20 and 34). No common table
-- expression is used twice: an engine may materialise such a CTE (DuckDB wrote out the whole
-- census, 2 GB at ten times the bi-borough volume, to read it a second time).
-- Both group-bys take the school's LA as part of the key, and each pupil-year (urn, upn_key,
-- academic_year) has one LA.
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
)

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
