-- Young people known to the youth justice service (latest extract). `person_id` is the youth
-- justice id; `mosaic_person_id` and `upn_key` are hashed in the Mosaic and school census
-- namespaces, so they equal `person_id` in stg_mosaic__persons and the pupil keys of the school
-- census for the same child.
with source as (
    {{ from_latest_extract('youth_justice', 'yj_person') }}
)

select
    la_code,
    yj_person_id as person_id,
    mosaic_person_id,
    upn as upn_key,
    date_of_birth,
    sex,
    ethnicity,
    home_la_code,
    -- First-time entrant rates count children living in the service's own area; a blank home
    -- authority is taken as resident.
    (home_la_code is null or home_la_code = la_code) as is_resident,
    looked_after_status as looked_after_status_code,
    postcode as postcode_sector,
    _extract_date as extract_date
from source
