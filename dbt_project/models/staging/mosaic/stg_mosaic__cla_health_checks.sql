-- Health checks of looked-after children (ssd_cla_health): statutory health assessments,
-- dental checks, developmental surveillance and sight tests.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_cla_health') }}
)

select
    la_code,
    clah_health_check_id as health_check_id,
    clah_person_id as person_id,
    clah_health_check_type as check_type_code,
    clah_health_check_date as check_date,
    clah_health_check_due_date as due_date,
    clah_health_check_status as status_code,
    -- A check with a date and no status was done (the SSD script leaves the status blank for
    -- some completed checks).
    (clah_health_check_status = 'COMPLETED' or (clah_health_check_status is null and clah_health_check_date is not null)) as is_completed
from source
