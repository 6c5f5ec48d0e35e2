-- Police custody detentions the youth justice service was told about (latest extract).
with source as (
    {{ from_latest_extract('youth_justice', 'yj_police_custody') }}
)

select
    la_code,
    detention_id,
    yj_person_id as person_id,
    detained_at,
    released_at,
    cast(detained_at as date) as detention_date,
    -- The recorded flag wins; without one, a release on a later calendar day means the child
    -- was kept overnight.
    coalesce(held_overnight, cast(released_at as date) > cast(detained_at as date), false) as is_held_overnight,
    looked_after_at_detention as is_looked_after_recorded
from source
