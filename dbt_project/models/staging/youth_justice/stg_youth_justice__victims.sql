-- Victims of offences by children known to the youth justice service (latest extract).
with source as (
    {{ from_latest_extract('youth_justice', 'yj_victim') }}
)

select
    la_code,
    victim_id,
    offence_id,
    referred_date,
    coalesce(police_contacted, false) as is_police_contacted,
    yjs_contact_date,
    coalesce(offered_support, false) as is_offered_support,
    coalesce(engaged, false) as is_engaged,
    rj_outcome as rj_outcome_code
from source
