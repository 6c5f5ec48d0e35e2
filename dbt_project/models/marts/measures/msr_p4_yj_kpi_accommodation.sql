-- P4_YJ_KPI_ACCOMMODATION (YJB KPI): children whose youth justice intervention ended in the
-- period (int_yj_kpi_closures: each child once) and the share in suitable accommodation at the
-- end, and at the start, as the YJS judged it; by kind of intervention. Children whose
-- suitability was not recorded (those released into the community are recorded; the secure
-- estate itself is not judged) are left out of that share.
with frame as (
    {{ area_periods(['quarter', 'financial_year']) }}
),

closures as (
    select
        closures.*,
        case closures.intervention_type_code
            when 'OOCD' then 'out_of_court'
            when 'COURT_ORDER' then 'court_order'
            else 'custody'
        end as intervention
    from {{ ref('int_yj_kpi_closures') }} as closures
),

tagged as (
    select closures.*, 'all' as breakdown, 'all' as breakdown_value from closures
    union all
    select closures.*, 'intervention', intervention from closures
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        values_.breakdown,
        values_.breakdown_value,
        count(tagged.person_id) as children,
        count(tagged.is_accommodation_suitable_end) as recorded_end,
        sum(case when tagged.is_accommodation_suitable_end then 1 else 0 end) as suitable_end,
        count(tagged.is_accommodation_suitable_start) as recorded_start,
        sum(case when tagged.is_accommodation_suitable_start then 1 else 0 end) as suitable_start
    from frame
    cross join (
        select 'all' as breakdown, 'all' as breakdown_value
        union all select 'intervention', 'out_of_court'
        union all select 'intervention', 'court_order'
        union all select 'intervention', 'custody'
    ) as values_
    left join tagged
        on frame.period_id = tagged.period_id
        and frame.la_code = tagged.la_code
        and values_.breakdown = tagged.breakdown
        and values_.breakdown_value = tagged.breakdown_value
    group by frame.period_id, frame.la_code, values_.breakdown, values_.breakdown_value
)

{{ measure_row('P4_YJ_KPI_ACCOMMODATION', 'count_children', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_YJ_KPI_ACCOMMODATION', 'pct_suitable_end', 'percent', 'suitable_end', 'recorded_end', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_YJ_KPI_ACCOMMODATION', 'pct_suitable_start', 'percent', 'suitable_start', 'recorded_start', breakdown='breakdown', breakdown_value='breakdown_value') }}
