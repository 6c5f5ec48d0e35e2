-- Every child protection visit that fell due, and whether it was made in time. A visit is due
-- the local standard number of working days (macro cp_visit_interval_working_days, default 10)
-- after the plan started or after the previous visit at which the child was seen; it is made in
-- time when the next such visit is on or before that working day. A visit stops being due once
-- the plan has ended, and is not yet due after the extract date. Visits without a plan id are
-- matched to the child's plan open on the day.
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
    select extract_date from {{ ref('int_extract_dates') }} where source_system = 'mosaic'
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

points as (
    -- The plan's start, then every visit while it was open.
    select plans.la_code, plans.cp_plan_id, plans.start_date as point_date, 0 as is_visit
    from plans
    union all
    select linked_visits.la_code, linked_visits.cp_plan_id, linked_visits.visit_date, 1
    from linked_visits
    inner join plans
        on linked_visits.la_code = plans.la_code
        and linked_visits.cp_plan_id = plans.cp_plan_id
        and linked_visits.visit_date >= plans.start_date
        and (plans.end_date is null or linked_visits.visit_date < plans.end_date)
),

sequenced as (
    select
        points.la_code,
        points.cp_plan_id,
        points.point_date,
        calendar.working_day_number,
        lead(points.point_date) over (
            partition by points.la_code, points.cp_plan_id order by points.point_date, points.is_visit
        ) as next_visit_date,
        lead(calendar.working_day_number) over (
            partition by points.la_code, points.cp_plan_id order by points.point_date, points.is_visit
        ) as next_visit_working_day
    from points
    inner join calendar
        on points.point_date = calendar.calendar_date
)

select
    sequenced.la_code,
    sequenced.cp_plan_id,
    plans.person_id,
    sequenced.point_date as counted_from_date,
    due.calendar_date as due_date,
    {{ financial_year_of('due.calendar_date') }} as due_financial_year,
    {{ financial_quarter_of('due.calendar_date') }} as due_financial_quarter,
    sequenced.next_visit_date,
    (sequenced.next_visit_working_day is not null
        and sequenced.next_visit_working_day <= sequenced.working_day_number + {{ cp_visit_interval_working_days() }}) as was_visited_in_time
from sequenced
inner join plans
    on sequenced.la_code = plans.la_code
    and sequenced.cp_plan_id = plans.cp_plan_id
inner join calendar as due
    on due.working_day_number = sequenced.working_day_number + {{ cp_visit_interval_working_days() }}
    and due.is_working_day
cross join extract
where (plans.end_date is null or due.calendar_date < plans.end_date)
    and due.calendar_date <= extract.extract_date
