-- P3_CLA_STABILITY_LONG (Annex B S3; DfE): children looked after at 31 March, aged under 16,
-- looked after continuously for at least 2.5 years, who have lived with the same carer for at
-- least 2 years (placed-for-adoption counts together with the placement before). Short breaks
-- are already excluded from the looked-after population.
with frame as (
    {{ area_periods(['snapshot']) }}
    and periods.is_year_end_snapshot
),

looked_after as (
    select * from {{ ref('int_looked_after_at_snapshot') }}
),

cohort as (
    select
        looked_after.*,
        (looked_after.stability_clock_start_date <= {{ dbt.dateadd('month', -24, 'looked_after.snapshot_date') }}) as is_stable
    from looked_after
    where looked_after.age_at_snapshot < 16
        and looked_after.period_of_care_start_date <= {{ dbt.dateadd('month', -30, 'looked_after.snapshot_date') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(cohort.person_id) as cohort_size,
        sum(case when cohort.is_stable then 1 else 0 end) as stable
    from frame
    left join cohort
        on frame.period_id = cohort.period_id and frame.la_code = cohort.la_code
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_CLA_STABILITY_LONG', 'percent', 'percent', 'stable', 'cohort_size') }}
