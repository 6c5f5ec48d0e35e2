-- P3_YJ_KPI_OOCD (YJB KPI, out-of-court disposals): out-of-court disposal interventions that
-- ended in the period and the share completed (interventions transferred to another service
-- are left out: they neither completed nor failed here); and the out-of-court disposals given
-- in the period, by type (community resolution, triage, youth caution, youth conditional caution).
with frame as (
    {{ area_periods(['quarter', 'financial_year']) }}
),

ended as (
    select la_code, kpi_record_id, end_date, completion_status_code
    from {{ ref('stg_youth_justice__case_kpis') }}
    where intervention_type_code = 'OOCD'
        and end_date is not null
        and coalesce(completion_status_code, '') <> 'TRANSFERRED'
),

given as (
    select la_code, outcome_id, outcome_date, outcome_type_code
    from {{ ref('int_yj_outcomes') }}
    where is_out_of_court
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(ended.kpi_record_id) as interventions_ended,
        sum(case when ended.completion_status_code = 'COMPLETED' then 1 else 0 end) as completed
    from frame
    left join ended
        on frame.la_code = ended.la_code
        and ended.end_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code
),

given_by_type as (
    select frame.period_id, frame.la_code, types.outcome_type_code, count(given.outcome_id) as given
    from frame
    cross join (
        select 'CR' as outcome_type_code
        union all select 'TRIAGE'
        union all select 'YC'
        union all select 'YCC'
    ) as types
    left join given
        on frame.la_code = given.la_code
        and types.outcome_type_code = given.outcome_type_code
        and given.outcome_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code, types.outcome_type_code
),

given_total as (
    select period_id, la_code, sum(given) as given
    from given_by_type
    group by period_id, la_code
)

{{ measure_row('P3_YJ_KPI_OOCD', 'count_interventions_ended', 'count', 'interventions_ended') }}
union all
{{ measure_row('P3_YJ_KPI_OOCD', 'count_completed', 'count', 'completed') }}
union all
{{ measure_row('P3_YJ_KPI_OOCD', 'percent_completed', 'percent', 'completed', 'interventions_ended') }}
union all
{{ measure_row('P3_YJ_KPI_OOCD', 'count_given', 'count', 'given', relation='given_total') }}
union all
{{ measure_row('P3_YJ_KPI_OOCD', 'count_given', 'count', 'given', breakdown="'outcome_type'", breakdown_value='outcome_type_code', relation='given_by_type') }}
