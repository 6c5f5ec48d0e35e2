-- P3_CP_VISITS_TIMELY: children on a child protection plan at any time in the period, and the
-- share whose visits falling due in the period were all made within the local standard interval
-- (macro cp_visit_interval_working_days, default 10 working days). `percent_visits` counts visits
-- instead of children: visits due in the period that were made in time.
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

plans as (
    select * from {{ ref('int_cp_plans') }}
),

checks as (
    select * from {{ ref('int_cp_visit_checks') }}
),

children as (
    select distinct frame.period_id, frame.la_code, plans.person_id
    from frame
    inner join plans
        on frame.la_code = plans.la_code
        and plans.start_date <= frame.period_end
        and (plans.end_date is null or plans.end_date > frame.period_start)
),

visits_due as (
    select
        frame.period_id,
        frame.la_code,
        checks.person_id,
        count(*) as visits_due,
        sum(case when checks.was_visited_in_time then 1 else 0 end) as visits_in_time
    from frame
    inner join checks
        on frame.la_code = checks.la_code
        and checks.due_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code, checks.person_id
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(children.person_id) as children_on_plan,
        sum(case when children.person_id is not null and coalesce(visits_due.visits_in_time, 0) = coalesce(visits_due.visits_due, 0) then 1 else 0 end) as children_visited_in_time,
        coalesce(sum(visits_due.visits_due), 0) as visits_due,
        coalesce(sum(visits_due.visits_in_time), 0) as visits_in_time
    from frame
    left join children
        on frame.period_id = children.period_id
        and frame.la_code = children.la_code
    left join visits_due
        on children.period_id = visits_due.period_id
        and children.la_code = visits_due.la_code
        and children.person_id = visits_due.person_id
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_CP_VISITS_TIMELY', 'percent', 'percent', 'children_visited_in_time', 'children_on_plan') }}
union all
{{ measure_row('P3_CP_VISITS_TIMELY', 'count_children', 'count', 'children_on_plan') }}
union all
{{ measure_row('P3_CP_VISITS_TIMELY', 'percent_visits', 'percent', 'visits_in_time', 'visits_due') }}
