-- Children in need at each snapshot date (DfE CIN census: a CIN episode open on the day, which
-- includes children on child protection plans and children looked after), one row per child,
-- with what they were receiving that day.
with snapshots as (
    select period_id, period_end as snapshot_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'snapshot'
),

referrals as (
    select * from {{ ref('stg_mosaic__referrals') }}
),

open_cin as (
    select distinct snapshots.period_id, snapshots.snapshot_date, referrals.la_code, referrals.person_id
    from snapshots
    inner join referrals
        on {{ open_on('referrals.referral_date', 'referrals.close_date', 'snapshots.snapshot_date') }}
),

on_cp as (
    select distinct snapshots.period_id, plans.la_code, plans.person_id
    from snapshots
    inner join {{ ref('int_cp_plans') }} as plans
        on {{ open_on('plans.start_date', 'plans.end_date', 'snapshots.snapshot_date') }}
),

on_cin_plan as (
    select distinct snapshots.period_id, plans.la_code, plans.person_id
    from snapshots
    inner join {{ ref('stg_mosaic__cin_plans') }} as plans
        on {{ open_on('plans.start_date', 'plans.end_date', 'snapshots.snapshot_date') }}
),

looked_after as (
    select period_id, la_code, person_id from {{ ref('int_looked_after_at_snapshot') }}
)

select
    open_cin.period_id,
    open_cin.snapshot_date,
    open_cin.la_code,
    open_cin.person_id,
    (on_cp.person_id is not null) as is_on_cp_plan,
    (looked_after.person_id is not null) as is_looked_after,
    (on_cin_plan.person_id is not null) as is_on_cin_plan
from open_cin
left join on_cp
    on open_cin.period_id = on_cp.period_id and open_cin.la_code = on_cp.la_code and open_cin.person_id = on_cp.person_id
left join looked_after
    on open_cin.period_id = looked_after.period_id and open_cin.la_code = looked_after.la_code and open_cin.person_id = looked_after.person_id
left join on_cin_plan
    on open_cin.period_id = on_cin_plan.period_id and open_cin.la_code = on_cin_plan.la_code and open_cin.person_id = on_cin_plan.person_id
