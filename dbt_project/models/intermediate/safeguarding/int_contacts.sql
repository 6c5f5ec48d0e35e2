-- Contacts, and whether each led to a referral: the same child referred on the contact date or
-- within the following days (macro contact_referral_window_days, default 7). The SSD carries no
-- referral id on a contact, and the outcome JSON is free text that never loads.
with contacts as (
    select * from {{ ref('stg_mosaic__contacts') }}
),

referrals as (
    select * from {{ ref('stg_mosaic__referrals') }}
),

converted as (
    select distinct contacts.la_code, contacts.contact_id
    from contacts
    inner join referrals
        on contacts.la_code = referrals.la_code
        and contacts.person_id = referrals.person_id
        and referrals.referral_date >= contacts.contact_date
        and referrals.referral_date <= {{ dbt.dateadd('day', contact_referral_window_days(), 'contacts.contact_date') }}
)

select
    contacts.la_code,
    contacts.contact_id,
    contacts.person_id,
    contacts.contact_date,
    {{ financial_year_of('contacts.contact_date') }} as financial_year,
    {{ financial_quarter_of('contacts.contact_date') }} as financial_quarter,
    contacts.contact_source_code,
    (converted.contact_id is not null) as led_to_referral
from contacts
left join converted
    on contacts.la_code = converted.la_code
    and contacts.contact_id = converted.contact_id
