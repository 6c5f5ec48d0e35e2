-- P3_YJ_KPI_WIDER_SERVICES (YJB KPI, links to wider services):
--   at each quarter end: children on the YJS caseload (an intervention open that day) and the
--   share open to children's social care that day, found in Mosaic through the recorded Mosaic
--   id: a child in need (any open CIN episode), on a child protection plan, looked after, and any;
--   per quarter and year: of children whose intervention ended, the share the YJS recorded as
--   open to early help, CIN, CP or looked after at the end (the YJB return);
--   per year: children given any youth justice outcome who were looked after at some time in
--   the year (the "looked after children in the YOT cohort" the RBKC plan counts).
with snapshots as (
    {{ area_periods(['snapshot']) }}
),

periods as (
    {{ area_periods(['quarter', 'financial_year']) }}
),

persons as (
    select * from {{ ref('stg_youth_justice__persons') }}
),

caseload as (
    select distinct snapshots.period_id, snapshots.la_code, records.person_id, persons.mosaic_person_id
    from snapshots
    inner join {{ ref('stg_youth_justice__case_kpis') }} as records
        on snapshots.la_code = records.la_code
        and {{ open_on('records.start_date', 'records.end_date', 'snapshots.period_end') }}
    left join persons
        on records.la_code = persons.la_code
        and records.person_id = persons.person_id
),

statuses as (
    select
        caseload.period_id,
        caseload.la_code,
        caseload.person_id,
        (in_need.person_id is not null) as is_child_in_need,
        coalesce(in_need.is_on_cp_plan, false) as is_child_protection,
        coalesce(in_need.is_looked_after, false) or (looked_after.person_id is not null) as is_looked_after
    from caseload
    left join {{ ref('int_in_need_at_snapshot') }} as in_need
        on caseload.period_id = in_need.period_id
        and caseload.la_code = in_need.la_code
        and caseload.mosaic_person_id = in_need.person_id
    left join {{ ref('int_looked_after_at_snapshot') }} as looked_after
        on caseload.period_id = looked_after.period_id
        and caseload.la_code = looked_after.la_code
        and caseload.mosaic_person_id = looked_after.person_id
),

status_rows as (
    select period_id, la_code, person_id, 'child_in_need' as status from statuses where is_child_in_need
    union all
    select period_id, la_code, person_id, 'child_protection' from statuses where is_child_protection
    union all
    select period_id, la_code, person_id, 'looked_after' from statuses where is_looked_after
),

status_names as (
    select 'child_in_need' as status
    union all select 'child_protection'
    union all select 'looked_after'
),

at_snapshot as (
    select
        snapshots.period_id,
        snapshots.la_code,
        (select count(*) from statuses s where s.period_id = snapshots.period_id and s.la_code = snapshots.la_code) as caseload,
        (select count(*) from statuses s
         where s.period_id = snapshots.period_id and s.la_code = snapshots.la_code
             and (s.is_child_in_need or s.is_child_protection or s.is_looked_after)) as open_to_social_care
    from snapshots
),

at_snapshot_by_status as (
    select snapshots.period_id, snapshots.la_code, status_names.status, max(at_snapshot.caseload) as caseload, count(status_rows.person_id) as open_to_social_care
    from snapshots
    cross join status_names
    inner join at_snapshot
        on snapshots.period_id = at_snapshot.period_id and snapshots.la_code = at_snapshot.la_code
    left join status_rows
        on snapshots.period_id = status_rows.period_id
        and snapshots.la_code = status_rows.la_code
        and status_names.status = status_rows.status
    group by snapshots.period_id, snapshots.la_code, status_names.status
),

closures as (
    select * from {{ ref('int_yj_kpi_closures') }}
),

recorded as (
    select
        periods.period_id,
        periods.la_code,
        count(closures.person_id) as children_ended,
        sum(case when closures.is_early_help_end or closures.is_child_in_need_end or closures.is_child_protection_end or closures.is_looked_after_end then 1 else 0 end) as any_service,
        sum(case when closures.is_early_help_end then 1 else 0 end) as early_help,
        sum(case when closures.is_child_in_need_end then 1 else 0 end) as child_in_need,
        sum(case when closures.is_child_protection_end then 1 else 0 end) as child_protection,
        sum(case when closures.is_looked_after_end then 1 else 0 end) as looked_after
    from periods
    left join closures
        on periods.period_id = closures.period_id and periods.la_code = closures.la_code
    group by periods.period_id, periods.la_code
),

recorded_by_status as (
    select period_id, la_code, 'early_help' as status, early_help as with_service, children_ended from recorded
    union all select period_id, la_code, 'child_in_need', child_in_need, children_ended from recorded
    union all select period_id, la_code, 'child_protection', child_protection, children_ended from recorded
    union all select period_id, la_code, 'looked_after', looked_after, children_ended from recorded
),

cohort as (
    -- Children given any youth justice outcome in the year, and whether they were looked after
    -- at any time in that year (Mosaic periods of care, short breaks excluded).
    select
        periods.period_id,
        periods.la_code,
        outcomes.person_id,
        max(case when care.person_id is not null then 1 else 0 end) as was_looked_after
    from periods
    inner join {{ ref('int_yj_outcomes') }} as outcomes
        on periods.la_code = outcomes.la_code
        and outcomes.outcome_date between periods.period_start and periods.period_end
    left join {{ ref('int_cla_periods') }} as care
        on outcomes.la_code = care.la_code
        and outcomes.mosaic_person_id = care.person_id
        and not care.is_short_breaks_only
        and care.start_date <= periods.period_end
        and (care.end_date is null or care.end_date > periods.period_start)
    where periods.period_type = 'financial_year'
    group by periods.period_id, periods.la_code, outcomes.person_id
),

cohort_counted as (
    select periods.period_id, periods.la_code, count(cohort.person_id) as children, coalesce(sum(cohort.was_looked_after), 0) as looked_after
    from periods
    left join cohort
        on periods.period_id = cohort.period_id and periods.la_code = cohort.la_code
    where periods.period_type = 'financial_year'
    group by periods.period_id, periods.la_code
)

{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'count_caseload', 'count', 'caseload', relation='at_snapshot') }}
union all
{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'pct_open_to_social_care', 'percent', 'open_to_social_care', 'caseload', relation='at_snapshot') }}
union all
{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'pct_open_to_social_care', 'percent', 'open_to_social_care', 'caseload', breakdown="'status'", breakdown_value='status', relation='at_snapshot_by_status') }}
union all
{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'count_children_ended', 'count', 'children_ended', relation='recorded') }}
union all
{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'pct_recorded_at_end', 'percent', 'any_service', 'children_ended', relation='recorded') }}
union all
{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'pct_recorded_at_end', 'percent', 'with_service', 'children_ended', breakdown="'status'", breakdown_value='status', relation='recorded_by_status') }}
union all
{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'count_cohort', 'count', 'children', relation='cohort_counted') }}
union all
{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'count_looked_after_in_cohort', 'count', 'looked_after', relation='cohort_counted') }}
union all
{{ measure_row('P3_YJ_KPI_WIDER_SERVICES', 'pct_looked_after_in_cohort', 'percent', 'looked_after', 'children', relation='cohort_counted') }}
