-- The Ofsted judgement in force for each open school on each as-at date: 31 March (year-end
-- snapshots) and 31 August (end of each academic year). The register gives the latest and the
-- previous graded inspection; on a date between them the previous judgement is the one in
-- force, and a school with no inspection on or before the date has no judgement yet (it is
-- left out of the percentages, as the DfE does). Judgements count from the inspection date.
with dates as (
    select period_id, period_type, period_end as as_at_date
    from {{ ref('int_reporting_periods') }}
    where is_year_end_snapshot or period_type = 'academic_year'
),

schools as (
    select * from {{ ref('stg_education__schools') }}
),

in_force as (
    select
        dates.period_id,
        dates.period_type,
        dates.as_at_date,
        schools.urn,
        schools.school_la_code,
        schools.phase_code,
        schools.phase_group,
        case
            when schools.latest_inspection_date <= dates.as_at_date then schools.latest_grade
            when schools.previous_inspection_date <= dates.as_at_date then schools.previous_grade
        end as grade_in_force,
        case
            when schools.latest_inspection_date <= dates.as_at_date then schools.latest_inspection_date
            when schools.previous_inspection_date <= dates.as_at_date then schools.previous_inspection_date
        end as judgement_date
    from dates
    cross join schools
    where (schools.open_date is null or schools.open_date <= dates.as_at_date)
        and (schools.close_date is null or schools.close_date > dates.as_at_date)
)

select
    in_force.*,
    (in_force.grade_in_force is not null) as is_judged,
    coalesce(in_force.grade_in_force in ('1', '2'), false) as is_good_or_outstanding
from in_force
