with source as (
    {{ from_latest_extract('mosaic', 'ssd_legal_status') }}
)

select
    la_code,
    lega_legal_status_id as legal_status_id,
    lega_person_id as person_id,
    lega_legal_status as legal_status_code,
    lega_legal_status_start_date as start_date,
    lega_legal_status_end_date as end_date,
    -- V3 / V4: accommodated under an agreed series of short-term breaks. DfE excludes these
    -- children from counts of children looked after and from placement stability.
    lega_legal_status in ('V3', 'V4') as is_short_break
from source
