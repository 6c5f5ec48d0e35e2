-- Care leavers' birthday contacts placed in their collection year: the year the extract gives,
-- or else the year of the birthday the contact reports on. DfE's window runs from three months
-- before to one month after the birthday, so a contact reports on the latest birthday falling
-- no later than three months after it. One row per young person and collection year: where a
-- year has several contacts, the latest counts.
with contacts as (
    select * from {{ ref('stg_mosaic__care_leaver_contacts') }}
),

persons as (
    select * from {{ ref('stg_mosaic__persons') }}
),

placed as (
    select
        contacts.*,
        persons.date_of_birth,
        coalesce(
            contacts.recorded_collection_year,
            {{ financial_year_of(dbt.dateadd('year', age_at('persons.date_of_birth', dbt.dateadd('day', 90, 'contacts.contact_date')), 'persons.date_of_birth')) }}
        ) as collection_year
    from contacts
    left join persons
        on contacts.la_code = persons.la_code
        and contacts.person_id = persons.person_id
),

dated as (
    select
        placed.*,
        -- The birthday that falls in the collection year.
        cast({{ dbt.dateadd('year', age_at('placed.date_of_birth', financial_year_end('placed.collection_year')), 'placed.date_of_birth') }} as date) as birthday,
        {{ age_at('placed.date_of_birth', financial_year_end('placed.collection_year')) }} as age_at_birthday,
        row_number() over (
            partition by placed.la_code, placed.person_id, placed.collection_year
            order by placed.contact_date desc nulls last, placed.contact_id desc
        ) as recency
    from placed
    where placed.collection_year is not null
)

select
    la_code,
    contact_id,
    person_id,
    collection_year,
    birthday,
    age_at_birthday,
    contact_date,
    -- When the status took effect: the contact, or the birthday when there was no contact.
    coalesce(contact_date, birthday) as recorded_on,
    in_touch_code,
    eligibility_code,
    accommodation_code,
    accommodation_suitability_code,
    activity_code,
    (in_touch_code = 'YES') as is_in_touch,
    -- Suitable: in touch and recorded as suitable; no fixed abode (S) and custody (X) never are,
    -- and residence not known (R) cannot be.
    coalesce(in_touch_code = 'YES' and accommodation_suitability_code = '1' and accommodation_code not in ('S', 'X', 'R', '0'), false) as is_suitably_accommodated,
    coalesce(in_touch_code = 'YES' and activity_code in ('F1', 'P1', 'F2', 'P2', 'F3', 'P3', 'F4', 'P4', 'F5', 'P5'), false) as is_eet,
    coalesce(in_touch_code = 'YES' and activity_code in ('F1', 'P1'), false) as is_higher_education
from dated
where recency = 1
