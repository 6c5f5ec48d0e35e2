-- P6_YJ_KPI_MENTAL_HEALTH (YJB KPI): the mental health and emotional wellbeing cascade for children whose
-- youth justice intervention ended in the period: screened; of those screened, a need
-- identified; of those with a need, an intervention offered; of those offered, attending. Each
-- step is a share of the one before, so the four percentages read as a funnel.
with frame as (
    {{ area_periods(['quarter', 'financial_year']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(closures.person_id) as children,
        sum(case when closures.is_mh_screened then 1 else 0 end) as screened,
        sum(case when closures.is_mh_screened and closures.is_mh_need_identified then 1 else 0 end) as with_need,
        sum(case when closures.is_mh_screened and closures.is_mh_need_identified and closures.is_mh_intervention_offered then 1 else 0 end) as offered,
        sum(case when closures.is_mh_screened and closures.is_mh_need_identified and closures.is_mh_intervention_offered and closures.is_mh_attending then 1 else 0 end) as attending
    from frame
    left join {{ ref('int_yj_kpi_closures') }} as closures
        on frame.period_id = closures.period_id and frame.la_code = closures.la_code
    group by frame.period_id, frame.la_code
)

{{ measure_row('P6_YJ_KPI_MENTAL_HEALTH', 'count_children', 'count', 'children') }}
union all
{{ measure_row('P6_YJ_KPI_MENTAL_HEALTH', 'count_need_identified', 'count', 'with_need') }}
union all
{{ measure_row('P6_YJ_KPI_MENTAL_HEALTH', 'pct_screened', 'percent', 'screened', 'children') }}
union all
{{ measure_row('P6_YJ_KPI_MENTAL_HEALTH', 'pct_need_of_screened', 'percent', 'with_need', 'screened') }}
union all
{{ measure_row('P6_YJ_KPI_MENTAL_HEALTH', 'pct_offered_of_need', 'percent', 'offered', 'with_need') }}
union all
{{ measure_row('P6_YJ_KPI_MENTAL_HEALTH', 'pct_attending_of_offered', 'percent', 'attending', 'offered') }}
union all
select
    'P6_YJ_KPI_MENTAL_HEALTH' as measure_id,
    frame.la_code,
    frame.period_id,
    'pct_sessions_attended' as statistic,
    'all' as breakdown,
    'all' as breakdown_value,
    cast(coalesce(sum(closures.mh_sessions_attended), 0) as double) as numerator,
    cast(coalesce(sum(closures.mh_sessions_offered), 0) as double) as denominator,
    'percent' as unit
from frame
left join {{ ref('int_yj_kpi_closures') }} as closures
    on frame.period_id = closures.period_id and frame.la_code = closures.la_code
group by frame.period_id, frame.la_code
