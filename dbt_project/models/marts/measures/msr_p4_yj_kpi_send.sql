-- P4_YJ_KPI_SEND (YJB KPI): of the children whose intervention ended in the period with an
-- identified special educational need or disability, the share in suitable ETE at the end AND
-- with a formal learning plan for the current academic year. Companions: the share of children
-- ended with identified SEND, and of those screened, the share with speech, language and
-- communication needs.
with frame as (
    {{ area_periods(['quarter', 'financial_year']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(closures.person_id) as children,
        sum(case when closures.is_send_identified then 1 else 0 end) as with_send,
        sum(case when closures.is_send_identified and closures.is_ete_suitable_end and closures.has_learning_plan then 1 else 0 end) as send_in_ete_with_plan,
        sum(case when closures.is_slcn_screened then 1 else 0 end) as slcn_screened,
        sum(case when closures.is_slcn_screened and closures.is_slcn_identified then 1 else 0 end) as slcn_identified
    from frame
    left join {{ ref('int_yj_kpi_closures') }} as closures
        on frame.period_id = closures.period_id and frame.la_code = closures.la_code
    group by frame.period_id, frame.la_code
)

{{ measure_row('P4_YJ_KPI_SEND', 'count_with_send', 'count', 'with_send') }}
union all
{{ measure_row('P4_YJ_KPI_SEND', 'percent', 'percent', 'send_in_ete_with_plan', 'with_send') }}
union all
{{ measure_row('P4_YJ_KPI_SEND', 'pct_send_identified', 'percent', 'with_send', 'children') }}
union all
{{ measure_row('P4_YJ_KPI_SEND', 'pct_slcn_identified', 'percent', 'slcn_identified', 'slcn_screened') }}
