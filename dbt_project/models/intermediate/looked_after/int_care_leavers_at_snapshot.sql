-- Care leavers the council supports at each snapshot date: care leavers (see
-- int_care_leaver_eligibility) aged 16 to 25 who had left care by the day, whose care was not
-- transferred to another council, and whose latest contact on or before the day does not say
-- they have died, no longer want support (NREQ) or went home to parents (RHOM). A young person
-- who has left care and had no birthday contact yet is supported.
with snapshots as (
    select period_id, period_end as snapshot_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'snapshot'
),

leavers as (
    select * from {{ ref('int_care_leaver_eligibility') }}
    where is_care_leaver and date_of_birth is not null and not is_care_transferred
),

candidates as (
    select
        snapshots.period_id,
        snapshots.snapshot_date,
        leavers.la_code,
        leavers.person_id,
        leavers.is_former_uasc,
        {{ age_at('leavers.date_of_birth', 'snapshots.snapshot_date') }} as age_at_snapshot
    from snapshots
    inner join leavers
        on (leavers.left_care_date is null or leavers.left_care_date <= snapshots.snapshot_date)
        and (leavers.date_of_death is null or leavers.date_of_death > snapshots.snapshot_date)
        and {{ age_at('leavers.date_of_birth', 'snapshots.snapshot_date') }} between 16 and 25
),

latest_contact as (
    select
        candidates.period_id,
        candidates.la_code,
        candidates.person_id,
        contacts.in_touch_code,
        row_number() over (
            partition by candidates.period_id, candidates.la_code, candidates.person_id
            order by contacts.recorded_on desc, contacts.collection_year desc
        ) as recency
    from candidates
    inner join {{ ref('int_care_leaver_contacts') }} as contacts
        on candidates.la_code = contacts.la_code
        and candidates.person_id = contacts.person_id
        and contacts.recorded_on <= candidates.snapshot_date
)

select
    candidates.period_id,
    candidates.snapshot_date,
    candidates.la_code,
    candidates.person_id,
    candidates.age_at_snapshot,
    case
        when candidates.age_at_snapshot <= 18 then '16-18'
        when candidates.age_at_snapshot <= 21 then '19-21'
        else '22-25'
    end as age_band,
    candidates.is_former_uasc,
    latest_contact.in_touch_code as latest_in_touch_code,
    coalesce(latest_contact.in_touch_code = 'YES', false) as is_in_touch
from candidates
left join latest_contact
    on candidates.period_id = latest_contact.period_id
    and candidates.la_code = latest_contact.la_code
    and candidates.person_id = latest_contact.person_id
    and latest_contact.recency = 1
where latest_contact.in_touch_code is null or latest_contact.in_touch_code not in ('DIED', 'NREQ', 'RHOM')
