with source as (
    {{ from_latest_extract('mosaic', 'ssd_immigration_status') }}
)

select
    la_code,
    immi_immigration_status_id as immigration_status_id,
    immi_person_id as person_id,
    immi_immigration_status as immigration_status_code,
    immi_immigration_status_start_date as start_date,
    immi_immigration_status_end_date as end_date
from source
