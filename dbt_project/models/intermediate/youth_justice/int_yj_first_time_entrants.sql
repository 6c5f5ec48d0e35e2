-- First-time entrants: children living in the borough who received their first youth caution,
-- youth conditional caution or conviction, for an offence committed aged 10-17. This is the
-- YJS case system's own count, a local proxy for the YJB/MoJ figure (which comes from the
-- Police National Computer). Whether the child was looked after that day comes from the Mosaic
-- record the YJS links to (periods of care, short breaks excluded).
with entries as (
    select * from {{ ref('int_yj_outcomes') }}
    where is_first_formal
        and is_resident
        and age_at_offence between 10 and 17
),

care as (
    select * from {{ ref('int_cla_periods') }}
    where not is_short_breaks_only
),

looked_after as (
    select distinct entries.la_code, entries.person_id
    from entries
    inner join care
        on entries.la_code = care.la_code
        and entries.mosaic_person_id = care.person_id
        and {{ open_on('care.start_date', 'care.end_date', 'entries.outcome_date') }}
)

select
    entries.la_code,
    entries.person_id,
    entries.mosaic_person_id,
    entries.outcome_id,
    entries.outcome_date as entry_date,
    entries.outcome_type_code,
    entries.route,
    entries.age_at_offence,
    entries.sex,
    entries.ethnicity,
    entries.census_2021_group,
    (looked_after.person_id is not null) as is_looked_after_at_entry
from entries
left join looked_after
    on entries.la_code = looked_after.la_code
    and entries.person_id = looked_after.person_id
