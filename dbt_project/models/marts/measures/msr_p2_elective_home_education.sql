-- P2_ELECTIVE_HOME_EDUCATION: children on the council's register of elective home education,
-- open at each quarter end (snapshot; an episode ending on the day is not open), and all
-- episodes active at any time in the financial year. Unit: count. Breakdown by SEN provision
-- when home education began. Two bases, as measures.md asks: RBKC's "99 to 105 in Q4" is the
-- snapshot and "143 active cases in 22/23" the in-year count.
with episodes as (
    select
        la_code,
        start_date,
        end_date,
        case sen_provision when 'E' then 'ehcp' when 'K' then 'sen_support' else 'no_sen' end as send_group
    from {{ ref('stg_education__elective_home_education') }}
),

frame as (
    select area.la_code, area.period_id, area.period_type, area.period_start, area.period_end, breakdowns.breakdown, breakdowns.breakdown_value
    from ({{ area_periods(['snapshot', 'financial_year']) }}) as area
    cross join ({{ education_breakdown_values(['send']) }}) as breakdowns
),

long as (
    select la_code, start_date, end_date, 'all' as breakdown, 'all' as breakdown_value from episodes
    union all
    select la_code, start_date, end_date, 'send', send_group from episodes
),

counted as (
    select
        frame.la_code,
        frame.period_id,
        frame.period_type,
        frame.breakdown,
        frame.breakdown_value,
        sum(case
            when frame.period_type = 'snapshot' and {{ open_on('long.start_date', 'long.end_date', 'frame.period_end') }} then 1
            when frame.period_type = 'financial_year' and long.start_date <= frame.period_end
                and (long.end_date is null or long.end_date >= frame.period_start) then 1
            else 0
        end) as children
    from frame
    left join long
        on frame.la_code = long.la_code
        and frame.breakdown = long.breakdown
        and frame.breakdown_value = long.breakdown_value
    group by frame.la_code, frame.period_id, frame.period_type, frame.breakdown, frame.breakdown_value
)

{{ measure_row('P2_ELECTIVE_HOME_EDUCATION', 'count', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value', where="period_type = 'snapshot'") }}
union all
{{ measure_row('P2_ELECTIVE_HOME_EDUCATION', 'count_active_in_year', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value', where="period_type = 'financial_year'") }}
