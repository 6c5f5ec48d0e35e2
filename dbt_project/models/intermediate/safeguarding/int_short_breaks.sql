-- Agreed series of short breaks: legal status V3 (individual stays recorded) or V4 (agreements
-- recorded) under section 20, with whether the child has a disability recorded.
with legal as (
    select * from {{ ref('stg_mosaic__legal_statuses') }}
    where is_short_break
),

disabled as (
    select * from {{ ref('int_disabled_children') }}
)

select
    legal.la_code,
    legal.legal_status_id,
    legal.person_id,
    legal.legal_status_code,
    legal.start_date,
    legal.end_date,
    coalesce(disabled.is_disabled, false) as is_disabled
from legal
left join disabled
    on legal.la_code = disabled.la_code
    and legal.person_id = disabled.person_id
