-- The DfE outcomes cohort of looked-after children: looked after continuously for at least
-- twelve months at 31 March (the period of care began on or before 31 March of the year
-- before and was still open on 31 March), short breaks excluded. One row per child and
-- academic year, dated by the 31 March inside that academic year, with the child's UPN key
-- for finding their results.
with years as (
    select
        {{ academic_year_from_label('period_label') }} as academic_year,
        {{ date_in_year(academic_year_from_label('period_label'), '03-31') }} as cohort_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'academic_year'
),

periods as (
    select * from {{ ref('int_cla_periods') }}
    where not is_short_breaks_only
),

persons as (
    select la_code, person_id, upn_key from {{ ref('stg_mosaic__persons') }}
),

in_cohort as (
    select
        years.academic_year,
        years.cohort_date,
        periods.la_code,
        periods.person_id,
        max(case when periods.was_uasc then 1 else 0 end) = 1 as was_uasc
    from years
    inner join periods
        on periods.start_date <= {{ dbt.dateadd('year', -1, 'years.cohort_date') }}
        and (periods.end_date is null or periods.end_date > years.cohort_date)
    group by years.academic_year, years.cohort_date, periods.la_code, periods.person_id
)

select
    in_cohort.academic_year,
    in_cohort.cohort_date,
    in_cohort.la_code,
    in_cohort.person_id,
    persons.upn_key,
    in_cohort.was_uasc as is_uasc
from in_cohort
left join persons
    on in_cohort.la_code = persons.la_code
    and in_cohort.person_id = persons.person_id
