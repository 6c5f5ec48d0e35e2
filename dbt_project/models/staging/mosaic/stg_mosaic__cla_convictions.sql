-- Convictions and youth cautions of looked-after children (ssd_cla_convictions); the offence
-- text never loads.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_cla_convictions') }}
)

select
    la_code,
    clac_cla_conviction_id as conviction_id,
    clac_person_id as person_id,
    clac_cla_conviction_date as conviction_date
from source
