-- The extract each build is computed from. Reporting periods end on or before it.
select
    'mosaic' as source_system,
    max(extract_date) as extract_date
from {{ ref('stg_mosaic__referrals') }}
