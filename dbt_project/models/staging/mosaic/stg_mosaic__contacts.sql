-- Contacts received by the front door (MASH). Whether a contact became a referral is decided in
-- int_contacts by linking to referrals; the outcome JSON never loads (free text).
with source as (
    {{ from_latest_extract('mosaic', 'ssd_contacts') }}
)

select
    la_code,
    cont_contact_id as contact_id,
    cont_person_id as person_id,
    cont_contact_date as contact_date,
    cont_contact_source_code as contact_source_code,
    _extract_date as extract_date
from source
