-- P3_CIN_RATE: children in need at the snapshot (every child with an open CIN episode,
-- including those on child protection plans and looked after), the rate per 10,000 aged 0-17,
-- the children "supported at home" (in need but not looked after; Annex B S1), and the local
-- "CINs" figure, children on a child in need plan.
with frame as (
    {{ area_periods(['snapshot']) }}
),

in_need as (
    select * from {{ ref('int_in_need_at_snapshot') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        denominators.population_0_17,
        count(in_need.person_id) as children_in_need,
        sum(case when in_need.person_id is not null and not in_need.is_looked_after then 1 else 0 end) as supported_at_home,
        sum(case when in_need.is_on_cin_plan then 1 else 0 end) as on_cin_plan
    from frame
    left join in_need
        on frame.period_id = in_need.period_id and frame.la_code = in_need.la_code
    left join {{ ref('int_denominators') }} as denominators
        on frame.la_code = denominators.la_code and frame.mid_year = denominators.mid_year
    group by frame.period_id, frame.la_code, denominators.population_0_17
)

{{ measure_row('P3_CIN_RATE', 'count', 'count', 'children_in_need') }}
union all
{{ measure_row('P3_CIN_RATE', 'rate_per_10k', 'rate_per_10k', 'children_in_need', 'population_0_17') }}
union all
{{ measure_row('P3_CIN_RATE', 'count_supported_at_home', 'count', 'supported_at_home') }}
union all
{{ measure_row('P3_CIN_RATE', 'count_cin_plan', 'count', 'on_cin_plan') }}
