-- P4_YJ_KPI_ETE (YJB KPI): children whose intervention ended in the period and the share
-- attending a suitable education, training or employment arrangement at the end, and at the
-- start; school age and above school age reported separately as the YJB asks (compulsory school
-- age: under 16 on the 31 August before the end). A child counts once a period, at the end of
-- their latest intervention in it, so a child who turns 16 between two closures can count as of
-- school age in a quarter and above it in the year: the breakdown rows need not nest.
with frame as (
    {{ area_periods(['quarter', 'financial_year']) }}
),

closures as (
    select
        closures.*,
        case when closures.is_school_age_at_end then 'school_age' else 'above_school_age' end as school_age
    from {{ ref('int_yj_kpi_closures') }} as closures
),

tagged as (
    select closures.*, 'all' as breakdown, 'all' as breakdown_value from closures
    union all
    select closures.*, 'school_age', school_age from closures
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        values_.breakdown,
        values_.breakdown_value,
        count(tagged.person_id) as children,
        count(tagged.is_ete_suitable_end) as recorded_end,
        sum(case when tagged.is_ete_suitable_end then 1 else 0 end) as suitable_end,
        count(tagged.is_ete_suitable_start) as recorded_start,
        sum(case when tagged.is_ete_suitable_start then 1 else 0 end) as suitable_start
    from frame
    cross join (
        select 'all' as breakdown, 'all' as breakdown_value
        union all select 'school_age', 'school_age'
        union all select 'school_age', 'above_school_age'
    ) as values_
    left join tagged
        on frame.period_id = tagged.period_id
        and frame.la_code = tagged.la_code
        and values_.breakdown = tagged.breakdown
        and values_.breakdown_value = tagged.breakdown_value
    group by frame.period_id, frame.la_code, values_.breakdown, values_.breakdown_value
)

{{ measure_row('P4_YJ_KPI_ETE', 'count_children', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_YJ_KPI_ETE', 'pct_suitable_end', 'percent', 'suitable_end', 'recorded_end', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_YJ_KPI_ETE', 'pct_suitable_start', 'percent', 'suitable_start', 'recorded_start', breakdown='breakdown', breakdown_value='breakdown_value') }}
