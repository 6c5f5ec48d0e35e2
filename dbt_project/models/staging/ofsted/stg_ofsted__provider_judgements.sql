-- Ofsted full inspections of children's social care providers, with the overall judgement.
with source as (
    {{ from_latest_extract('ofsted', 'provider_judgements') }}
)

select
    urn as provider_urn,
    provider_type as provider_type_code,
    provider_name,
    local_authority as provider_local_authority,
    inspection_date,
    overall_judgement as overall_judgement_code,
    overall_judgement in ('1', '2') as is_good_or_outstanding
from source
