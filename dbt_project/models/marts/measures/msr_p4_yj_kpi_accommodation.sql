-- P4_YJ_KPI_ACCOMMODATION (YJB KPI): children whose youth justice intervention ended in the
-- period (int_yj_kpi_closures: each child once) and the share in suitable accommodation at the
-- end, and at the start, as the YJS judged it. Children whose suitability was not recorded (the
-- secure estate itself is not judged) are left out of that share. No breakdown by kind of
-- intervention: a child counts once a period under their latest intervention, so such a
-- breakdown would not nest (a child leaving custody in Q1 and a court order in Q3 would count
-- under custody in Q1 but not in the year).
with frame as (
    {{ area_periods(['quarter', 'financial_year']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(closures.person_id) as children,
        count(closures.is_accommodation_suitable_end) as recorded_end,
        sum(case when closures.is_accommodation_suitable_end then 1 else 0 end) as suitable_end,
        count(closures.is_accommodation_suitable_start) as recorded_start,
        sum(case when closures.is_accommodation_suitable_start then 1 else 0 end) as suitable_start
    from frame
    left join {{ ref('int_yj_kpi_closures') }} as closures
        on frame.period_id = closures.period_id and frame.la_code = closures.la_code
    group by frame.period_id, frame.la_code
)

{{ measure_row('P4_YJ_KPI_ACCOMMODATION', 'count_children', 'count', 'children') }}
union all
{{ measure_row('P4_YJ_KPI_ACCOMMODATION', 'pct_suitable_end', 'percent', 'suitable_end', 'recorded_end') }}
union all
{{ measure_row('P4_YJ_KPI_ACCOMMODATION', 'pct_suitable_start', 'percent', 'suitable_start', 'recorded_start') }}
