-- P6_LAC_HEALTH_CHECKS. At each 31 March, for the SSDA903 OC2 cohort (looked after
-- continuously for 12 months or more): health assessment up to date (a completed initial or
-- review assessment in the last 12 months, or 6 months for a child under five, who is
-- assessed twice a year), immunisations up to date (the latest status recorded), and teeth
-- checked by a dentist in the last 12 months. Timeliness in each financial year: initial
-- health assessments within 20 working days of entering care, of children who started a
-- period of care and stayed 20 working days (`pct_iha_20wd`); review assessments done by their
-- due date, of those due in the year (`pct_rha_on_time`).
with snapshots as (
    {{ area_periods(['snapshot']) }}
    and periods.is_year_end_snapshot
),

years as (
    {{ area_periods(['financial_year']) }}
),

checks as (
    select * from {{ ref('stg_mosaic__cla_health_checks') }}
),

cohort as (
    select * from {{ ref('int_cla_oc2_cohort') }}
),

latest_assessment as (
    select cohort.period_id, cohort.la_code, cohort.person_id, max(checks.check_date) as last_assessed
    from cohort
    inner join checks
        on cohort.la_code = checks.la_code
        and cohort.person_id = checks.person_id
        and checks.check_type_code in ('IHA', 'RHA')
        and checks.is_completed
        and checks.check_date <= cohort.snapshot_date
    group by cohort.period_id, cohort.la_code, cohort.person_id
),

dental as (
    select distinct cohort.period_id, cohort.la_code, cohort.person_id
    from cohort
    inner join checks
        on cohort.la_code = checks.la_code
        and cohort.person_id = checks.person_id
        and checks.check_type_code = 'DENTAL'
        and checks.is_completed
        and checks.check_date > {{ dbt.dateadd('year', -1, 'cohort.snapshot_date') }}
        and checks.check_date <= cohort.snapshot_date
),

immunisation_status as (
    select
        cohort.period_id,
        cohort.la_code,
        cohort.person_id,
        immunisations.is_up_to_date,
        row_number() over (
            partition by cohort.period_id, cohort.la_code, cohort.person_id
            order by immunisations.status_date desc
        ) as recency
    from cohort
    inner join {{ ref('stg_mosaic__cla_immunisations') }} as immunisations
        on cohort.la_code = immunisations.la_code
        and cohort.person_id = immunisations.person_id
        and immunisations.status_date <= cohort.snapshot_date
),

oc2 as (
    select
        snapshots.period_id,
        snapshots.la_code,
        count(cohort.person_id) as children,
        sum(case
            when latest_assessment.last_assessed > {{ dbt.dateadd('month', -6, 'cohort.snapshot_date') }} then 1
            when cohort.age_at_snapshot >= 5 and latest_assessment.last_assessed > {{ dbt.dateadd('year', -1, 'cohort.snapshot_date') }} then 1
            else 0
        end) as assessment_up_to_date,
        sum(case when immunisation_status.is_up_to_date then 1 else 0 end) as immunised,
        sum(case when dental.person_id is not null then 1 else 0 end) as teeth_checked
    from snapshots
    left join cohort
        on snapshots.period_id = cohort.period_id and snapshots.la_code = cohort.la_code
    left join latest_assessment
        on cohort.period_id = latest_assessment.period_id and cohort.la_code = latest_assessment.la_code and cohort.person_id = latest_assessment.person_id
    left join dental
        on cohort.period_id = dental.period_id and cohort.la_code = dental.la_code and cohort.person_id = dental.person_id
    left join immunisation_status
        on cohort.period_id = immunisation_status.period_id and cohort.la_code = immunisation_status.la_code
        and cohort.person_id = immunisation_status.person_id and immunisation_status.recency = 1
    group by snapshots.period_id, snapshots.la_code
),

calendar as (
    select calendar_date, working_day_number from {{ ref('int_calendar') }}
),

entrants as (
    -- Periods of care that began in the year and lasted at least 20 working days.
    select
        years.period_id,
        periods.la_code,
        periods.person_id,
        periods.period_of_care_id,
        periods.start_date,
        start_day.working_day_number as start_working_day
    from {{ ref('int_cla_periods') }} as periods
    inner join years
        on periods.la_code = years.la_code
        and periods.start_date between years.period_start and years.period_end
    inner join calendar as start_day
        on periods.start_date = start_day.calendar_date
    left join calendar as end_day
        on periods.end_date = end_day.calendar_date
    where not periods.is_short_breaks_only
        and (periods.end_date is null or end_day.working_day_number - start_day.working_day_number >= 20)
),

first_assessment as (
    select
        entrants.period_id,
        entrants.la_code,
        entrants.period_of_care_id,
        min(assessed_day.working_day_number) - max(entrants.start_working_day) as working_days_to_assessment
    from entrants
    inner join checks
        on entrants.la_code = checks.la_code
        and entrants.person_id = checks.person_id
        and checks.check_type_code = 'IHA'
        and checks.is_completed
        and checks.check_date >= entrants.start_date
    inner join calendar as assessed_day
        on checks.check_date = assessed_day.calendar_date
    group by entrants.period_id, entrants.la_code, entrants.period_of_care_id
),

initial as (
    select
        years.period_id,
        years.la_code,
        count(entrants.period_of_care_id) as entrants,
        sum(case when first_assessment.working_days_to_assessment <= 20 then 1 else 0 end) as assessed_in_20_working_days
    from years
    left join entrants
        on years.period_id = entrants.period_id and years.la_code = entrants.la_code
    left join first_assessment
        on entrants.period_id = first_assessment.period_id and entrants.la_code = first_assessment.la_code
        and entrants.period_of_care_id = first_assessment.period_of_care_id
    group by years.period_id, years.la_code
),

reviews as (
    select
        years.period_id,
        years.la_code,
        count(checks.health_check_id) as reviews_due,
        sum(case when checks.is_completed and checks.check_date <= checks.due_date then 1 else 0 end) as reviews_on_time
    from years
    left join checks
        on years.la_code = checks.la_code
        and checks.check_type_code = 'RHA'
        and checks.due_date between years.period_start and years.period_end
    group by years.period_id, years.la_code
)

{{ measure_row('P6_LAC_HEALTH_CHECKS', 'pct_health_assessment', 'percent', 'assessment_up_to_date', 'children', relation='oc2') }}
union all
{{ measure_row('P6_LAC_HEALTH_CHECKS', 'pct_immunisations', 'percent', 'immunised', 'children', relation='oc2') }}
union all
{{ measure_row('P6_LAC_HEALTH_CHECKS', 'pct_dental', 'percent', 'teeth_checked', 'children', relation='oc2') }}
union all
{{ measure_row('P6_LAC_HEALTH_CHECKS', 'pct_iha_20wd', 'percent', 'assessed_in_20_working_days', 'entrants', relation='initial') }}
union all
{{ measure_row('P6_LAC_HEALTH_CHECKS', 'pct_rha_on_time', 'percent', 'reviews_on_time', 'reviews_due', relation='reviews') }}
