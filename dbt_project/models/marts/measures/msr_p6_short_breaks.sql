-- P6_SHORT_BREAKS: disabled children (a disability other than NONE recorded) who had an agreed
-- series of short breaks (legal status V3 or V4) at any time in the year, and the rate per 10,000
-- aged 0-17; `count_any_child` counts every child on a short-break series, disability recorded or
-- not (the gap is a recording question). Short-break packages outside SSDA903 (day care,
-- community activities, direct payments) are not in the extracts.
with frame as (
    {{ area_periods(['financial_year']) }}
),

short_breaks as (
    select * from {{ ref('int_short_breaks') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(distinct case when short_breaks.is_disabled then short_breaks.person_id end) as disabled_children,
        count(distinct short_breaks.person_id) as children,
        max(denominators.population_0_17) as population_0_17
    from frame
    left join short_breaks
        on frame.la_code = short_breaks.la_code
        and short_breaks.start_date <= frame.period_end
        and (short_breaks.end_date is null or short_breaks.end_date > frame.period_start)
    left join {{ ref('int_denominators') }} as denominators
        on frame.la_code = denominators.la_code
        and frame.mid_year = denominators.mid_year
    group by frame.period_id, frame.la_code
)

{{ measure_row('P6_SHORT_BREAKS', 'count', 'count', 'disabled_children') }}
union all
{{ measure_row('P6_SHORT_BREAKS', 'rate_per_10k', 'rate_per_10k', 'disabled_children', 'population_0_17') }}
union all
{{ measure_row('P6_SHORT_BREAKS', 'count_any_child', 'count', 'children') }}
