-- Every child protection visit that fell due, and whether it was made in time. Visits are due
-- every local standard interval (macro cp_visit_interval_working_days, default 10 working days)
-- counted from the start of the plan and from each visit at which the child was seen. A due visit
-- is made in time when the next such visit is on or before its working day; while no visit is
-- made, a further visit falls due every interval, so a long gap counts once per interval missed.
-- Nothing falls due on or after the day the plan ended, or after the extract date. Visits without
-- a plan id are matched to the child's plan open on the day.
with plans as (
    select * from {{ ref('stg_mosaic__cp_plans') }}
    where not is_other_la_plan
),

visits as (
    select * from {{ ref('stg_mosaic__cp_visits') }}
    where coalesce(was_child_seen, true)
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

extract as (
    select extracts.extract_date, calendar.working_day_number as extract_working_day
    from {{ ref('int_extract_dates') }} as extracts
    inner join calendar
        on extracts.extract_date = calendar.calendar_date
    where extracts.source_system = 'mosaic'
),

intervals as (
    -- 1, 2, 3, ...: the k-th interval after a visit (working day numbers are consecutive).
    select working_day_number as k
    from calendar
    where is_working_day and working_day_number <= 1000
),

linked_visits as (
    select
        visits.la_code,
        coalesce(visits.cp_plan_id, open_plans.cp_plan_id) as cp_plan_id,
        visits.visit_date
    from visits
    left join plans as open_plans
        on visits.cp_plan_id is null
        and visits.la_code = open_plans.la_code
        and visits.person_id = open_plans.person_id
        and {{ open_on('open_plans.start_date', 'open_plans.end_date', 'visits.visit_date') }}
),

starts_and_visits as (
    -- The plan's start, then every visit while it was open.
    select plans.la_code, plans.cp_plan_id, plans.start_date as point_date
    from plans
    union all
    select linked_visits.la_code, linked_visits.cp_plan_id, linked_visits.visit_date
    from linked_visits
    inner join plans
        on linked_visits.la_code = plans.la_code
        and linked_visits.cp_plan_id = plans.cp_plan_id
        and linked_visits.visit_date >= plans.start_date
        and (plans.end_date is null or linked_visits.visit_date < plans.end_date)
),

points as (
    -- One point a day: two visits on one day, or a visit on the day the plan started, are one.
    select distinct la_code, cp_plan_id, point_date
    from starts_and_visits
),

sequenced as (
    select
        points.la_code,
        points.cp_plan_id,
        points.point_date,
        calendar.working_day_number,
        -- Where the intervals stop when no visit follows: the plan's end, or the extract date.
        least(coalesce(ended.working_day_number, extract.extract_working_day), extract.extract_working_day) as last_working_day,
        lead(points.point_date) over (
            partition by points.la_code, points.cp_plan_id order by points.point_date
        ) as next_visit_date,
        lead(calendar.working_day_number) over (
            partition by points.la_code, points.cp_plan_id order by points.point_date
        ) as next_visit_working_day
    from points
    inner join calendar
        on points.point_date = calendar.calendar_date
    inner join plans
        on points.la_code = plans.la_code
        and points.cp_plan_id = plans.cp_plan_id
    left join calendar as ended
        on plans.end_date = ended.calendar_date
    cross join extract
),

due_visits as (
    select
        sequenced.*,
        intervals.k,
        sequenced.working_day_number + intervals.k * {{ cp_visit_interval_working_days() }} as due_working_day
    from sequenced
    inner join intervals
        on intervals.k * {{ cp_visit_interval_working_days() }}
            <= coalesce(sequenced.next_visit_working_day, sequenced.last_working_day) - sequenced.working_day_number + {{ cp_visit_interval_working_days() }}
    -- The k-th interval falls due only if no visit came by the (k-1)-th.
    where intervals.k = 1
        or sequenced.next_visit_working_day is null
        or sequenced.working_day_number + (intervals.k - 1) * {{ cp_visit_interval_working_days() }} < sequenced.next_visit_working_day
)

select
    due_visits.la_code,
    due_visits.cp_plan_id,
    plans.person_id,
    due_visits.point_date as counted_from_date,
    due_visits.k as intervals_since,
    due.calendar_date as due_date,
    {{ financial_year_of('due.calendar_date') }} as due_financial_year,
    {{ financial_quarter_of('due.calendar_date') }} as due_financial_quarter,
    due_visits.next_visit_date,
    (due_visits.next_visit_working_day is not null
        and due_visits.next_visit_working_day <= due_visits.due_working_day) as was_visited_in_time
from due_visits
inner join plans
    on due_visits.la_code = plans.la_code
    and due_visits.cp_plan_id = plans.cp_plan_id
inner join calendar as due
    on due.working_day_number = due_visits.due_working_day
    and due.is_working_day
cross join extract
where (plans.end_date is null or due.calendar_date < plans.end_date)
    and due.calendar_date <= extract.extract_date
