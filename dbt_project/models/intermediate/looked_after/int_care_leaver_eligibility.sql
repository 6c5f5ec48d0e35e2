-- Who is a care leaver, from the care history (DfE, Children (Leaving Care) Act 2000): looked
-- after for at least 13 weeks (91 days) in total after their 14th birthday, including some
-- time after their 16th birthday, and no longer looked after. Short breaks do not count.
-- One row per young person with a period of care or a care leaver record. Where the extract
-- holds no period of care at all for someone the council records as a (former) relevant care
-- leaver (care that ended before the extract's history begins), that record is taken instead;
-- someone looked after only on short breaks is never a care leaver.
with extract as (
    select extract_date from {{ ref('int_extract_dates') }} where source_system = 'mosaic'
),

persons as (
    select * from {{ ref('stg_mosaic__persons') }}
),

periods as (
    select
        periods.*,
        cast({{ dbt.dateadd('year', 14, 'periods.date_of_birth') }} as date) as fourteenth_birthday,
        cast({{ dbt.dateadd('year', 16, 'periods.date_of_birth') }} as date) as sixteenth_birthday,
        coalesce(periods.end_date, extract.extract_date) as end_or_extract_date
    from {{ ref('int_cla_periods') }} as periods
    cross join extract
    where not periods.is_short_breaks_only
),

last_reason as (
    select la_code, person_id, reason_ceased_code,
        row_number() over (partition by la_code, person_id order by end_date desc, period_of_care_id desc) as recency
    from {{ ref('int_cla_period_endings') }}
),

history as (
    select
        la_code,
        person_id,
        cast(sum(case when end_or_extract_date > fourteenth_birthday
                 then {{ dbt.datediff('case when start_date > fourteenth_birthday then start_date else fourteenth_birthday end', 'end_or_extract_date', 'day') }}
                 else 0 end) as integer) as days_looked_after_since_14,
        max(case when end_or_extract_date > sixteenth_birthday then 1 else 0 end) = 1 as was_looked_after_after_16,
        max(case when end_date is null then 1 else 0 end) = 1 as is_looked_after_now,
        max(end_date) as left_care_date,
        max(case when was_uasc then 1 else 0 end) = 1 as was_uasc_in_care
    from periods
    group by la_code, person_id
),

recorded as (
    select
        la_code,
        person_id,
        max(case when eligibility_code in ('RELV', 'FREL') then 1 else 0 end) = 1 as is_recorded_care_leaver
    from {{ ref('stg_mosaic__care_leaver_contacts') }}
    group by la_code, person_id
),

uasc_status as (
    select distinct la_code, person_id
    from {{ ref('stg_mosaic__immigration_statuses') }}
    where immigration_status_code in ('UASC', 'FUASC')
),

any_care as (
    -- Anyone with a period of care in the extract, short breaks included: a young person looked
    -- after only on short breaks is not a care leaver, whatever the record says (DfE exclusion).
    select distinct la_code, person_id from {{ ref('int_cla_periods') }}
),

people as (
    select la_code, person_id from history
    union
    select la_code, person_id from recorded
)

select
    people.la_code,
    people.person_id,
    persons.date_of_birth,
    persons.date_of_death,
    persons.sex,
    (history.person_id is not null) as has_care_history,
    coalesce(history.days_looked_after_since_14, 0) as days_looked_after_since_14,
    coalesce(history.was_looked_after_after_16, false) as was_looked_after_after_16,
    coalesce(history.is_looked_after_now, false) as is_looked_after_now,
    history.left_care_date,
    last_reason.reason_ceased_code as last_reason_ceased_code,
    -- E3: care taken over by another council, which then reports the young person (DfE exclusion).
    coalesce(last_reason.reason_ceased_code = 'E3', false) as is_care_transferred,
    (coalesce(history.was_uasc_in_care, false) or uasc_status.person_id is not null) as is_former_uasc,
    case
        when history.person_id is not null then
            history.days_looked_after_since_14 >= 91
            and history.was_looked_after_after_16
            and not history.is_looked_after_now
        when any_care.person_id is not null then false
        else coalesce(recorded.is_recorded_care_leaver, false)
    end as is_care_leaver
from people
left join history
    on people.la_code = history.la_code and people.person_id = history.person_id
left join recorded
    on people.la_code = recorded.la_code and people.person_id = recorded.person_id
left join last_reason
    on people.la_code = last_reason.la_code and people.person_id = last_reason.person_id and last_reason.recency = 1
left join uasc_status
    on people.la_code = uasc_status.la_code and people.person_id = uasc_status.person_id
left join any_care
    on people.la_code = any_care.la_code and people.person_id = any_care.person_id
left join persons
    on people.la_code = persons.la_code and people.person_id = persons.person_id
