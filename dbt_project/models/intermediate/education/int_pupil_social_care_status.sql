-- What children's social care knew about a pupil on a census day, found through the UPN: both
-- sides are pseudonymised in the `upn` namespace, so the keyed hashes match. Flags: in need
-- (an open CIN episode, which includes CP plans and care), on a child protection plan, looked
-- after (short breaks excluded, as the DfE counts), and ever looked after before the day
-- (for the DfE's "disadvantaged", which includes children previously looked after).
-- Both boroughs' Mosaic records are searched: a pupil at a Kensington and Chelsea school may be
-- known to Westminster's children's services.
-- Census rows are joined to the (few) Mosaic persons with a UPN before the distinct: the other
-- way round, the distinct would hash every census row of every pupil at national volume.
with persons as (
    select la_code, person_id, upn_key
    from {{ ref('stg_mosaic__persons') }}
    where upn_key is not null
),

linked as (
    select distinct census.upn_key, census.census_date, persons.la_code, persons.person_id
    from {{ ref('stg_education__census_pupils') }} as census
    inner join persons
        on census.upn_key = persons.upn_key
),

in_need as (
    select distinct linked.upn_key, linked.census_date
    from linked
    inner join {{ ref('stg_mosaic__referrals') }} as referrals
        on linked.la_code = referrals.la_code
        and linked.person_id = referrals.person_id
        and {{ open_on('referrals.referral_date', 'referrals.close_date', 'linked.census_date') }}
),

on_plan as (
    select distinct linked.upn_key, linked.census_date
    from linked
    inner join {{ ref('int_cp_plans') }} as plans
        on linked.la_code = plans.la_code
        and linked.person_id = plans.person_id
        and {{ open_on('plans.start_date', 'plans.end_date', 'linked.census_date') }}
),

care as (
    select
        linked.upn_key,
        linked.census_date,
        max(case when {{ open_on('episodes.start_date', 'episodes.end_date', 'linked.census_date') }} then 1 else 0 end) as looked_after,
        max(case when episodes.start_date <= linked.census_date then 1 else 0 end) as ever_looked_after
    from linked
    inner join {{ ref('int_cla_episodes') }} as episodes
        on linked.la_code = episodes.la_code
        and linked.person_id = episodes.person_id
        and not episodes.is_short_break
    group by linked.upn_key, linked.census_date
),

known as (
    select upn_key, census_date, min(la_code) as mosaic_la_code
    from linked
    group by upn_key, census_date
)

select
    known.upn_key,
    known.census_date,
    known.mosaic_la_code,
    (in_need.upn_key is not null or coalesce(care.looked_after, 0) = 1) as is_child_in_need,
    (on_plan.upn_key is not null) as is_on_cp_plan,
    (coalesce(care.looked_after, 0) = 1) as is_looked_after,
    (coalesce(care.ever_looked_after, 0) = 1) as was_ever_looked_after
from known
left join in_need
    on known.upn_key = in_need.upn_key and known.census_date = in_need.census_date
left join on_plan
    on known.upn_key = on_plan.upn_key and known.census_date = on_plan.census_date
left join care
    on known.upn_key = care.upn_key and known.census_date = care.census_date
