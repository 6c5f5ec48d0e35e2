-- What children's social care knew about a pupil on a census day, found through the UPN: both
-- sides are pseudonymised in the `upn` namespace, so the keyed hashes match. Flags: in need
-- (an open CIN episode, which includes CP plans and care), on a child protection plan, looked
-- after (short breaks excluded, as the DfE counts), and ever looked after before the day
-- (for the DfE's "disadvantaged", which includes children previously looked after).
-- Both boroughs' Mosaic records are searched: a pupil at a Kensington and Chelsea school may be
-- known to Westminster's children's services.
-- At national volume some 19 million census days belong to pupils with a Mosaic record. They
-- are grouped once, by pupil and day (`known`), and the Mosaic records meet them through their
-- persons' UPNs. Grouping them by Mosaic person first, then again by pupil, took two group-bys
-- of all 19 million (docs/benchmarks.md, item 22).
with persons as (
    select la_code, person_id, upn_key
    from {{ ref('stg_mosaic__persons') }}
    where upn_key is not null
),

known as (
    select census.upn_key, census.census_date, min(persons.la_code) as mosaic_la_code
    from {{ ref('stg_education__census_pupils') }} as census
    inner join persons
        on census.upn_key = persons.upn_key
    group by census.upn_key, census.census_date
),

upn_referrals as (
    select persons.upn_key, referrals.referral_date, referrals.close_date
    from {{ ref('stg_mosaic__referrals') }} as referrals
    inner join persons
        on referrals.la_code = persons.la_code
        and referrals.person_id = persons.person_id
),

upn_plans as (
    select persons.upn_key, plans.start_date, plans.end_date
    from {{ ref('int_cp_plans') }} as plans
    inner join persons
        on plans.la_code = persons.la_code
        and plans.person_id = persons.person_id
),

upn_episodes as (
    select persons.upn_key, episodes.start_date, episodes.end_date
    from {{ ref('int_cla_episodes') }} as episodes
    inner join persons
        on episodes.la_code = persons.la_code
        and episodes.person_id = persons.person_id
    where not episodes.is_short_break
),

in_need as (
    select distinct known.upn_key, known.census_date
    from known
    inner join upn_referrals
        on known.upn_key = upn_referrals.upn_key
        and {{ open_on('upn_referrals.referral_date', 'upn_referrals.close_date', 'known.census_date') }}
),

on_plan as (
    select distinct known.upn_key, known.census_date
    from known
    inner join upn_plans
        on known.upn_key = upn_plans.upn_key
        and {{ open_on('upn_plans.start_date', 'upn_plans.end_date', 'known.census_date') }}
),

care as (
    select
        known.upn_key,
        known.census_date,
        max(case when {{ open_on('upn_episodes.start_date', 'upn_episodes.end_date', 'known.census_date') }} then 1 else 0 end) as looked_after,
        max(case when upn_episodes.start_date <= known.census_date then 1 else 0 end) as ever_looked_after
    from known
    inner join upn_episodes
        on known.upn_key = upn_episodes.upn_key
    group by known.upn_key, known.census_date
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
