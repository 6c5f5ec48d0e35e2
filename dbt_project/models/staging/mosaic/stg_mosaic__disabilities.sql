-- Disabilities recorded for children, one row per child and code (NONE: no disability).
with source as (
    {{ from_latest_extract('mosaic', 'ssd_disability') }}
)

select
    la_code,
    disa_person_id as person_id,
    disa_disability_code as disability_code
from source
