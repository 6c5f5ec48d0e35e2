-- Immunisation status of looked-after children (ssd_cla_immunisations), one row per status date.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_cla_immunisations') }}
)

select
    la_code,
    clai_person_id as person_id,
    clai_immunisations_status_date as status_date,
    clai_immunisations_status as is_up_to_date
from source
