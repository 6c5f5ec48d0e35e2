-- Placements grouped into spells with the same carer. DfE long-term stability counts time "with
-- the same carer", so a move that keeps the carer (reason for new episode T or U) does not
-- restart the clock; placed-for-adoption counts together with the placement before it.
with placements as (
    select * from {{ ref('stg_mosaic__cla_placements') }}
),

ordered as (
    select
        placements.*,
        lag(carer_key) over (partition by la_code, period_of_care_id order by start_date, placement_id) as previous_carer_key,
        lag(start_date) over (partition by la_code, period_of_care_id order by start_date, placement_id) as previous_start_date
    from placements
),

marked as (
    select
        ordered.*,
        case when previous_carer_key is not null and previous_carer_key = carer_key then 0 else 1 end as starts_new_spell
    from ordered
),

spelled as (
    select
        marked.*,
        sum(starts_new_spell) over (
            partition by la_code, period_of_care_id order by start_date, placement_id
            rows between unbounded preceding and current row
        ) as spell_number
    from marked
),

spell_starts as (
    select la_code, period_of_care_id, spell_number, min(start_date) as spell_start_date
    from spelled
    group by la_code, period_of_care_id, spell_number
)

select
    spelled.la_code,
    spelled.placement_id,
    spelled.period_of_care_id,
    spelled.person_id,
    spelled.start_date,
    spelled.end_date,
    spelled.placement_type_code,
    spelled.provider_code,
    spelled.spell_number,
    spell_starts.spell_start_date,
    -- Placed for adoption: the adoptive placement and the one before it count together.
    case
        when spelled.placement_type_code in ('A3', 'A4', 'A5', 'A6') and previous_spell.spell_start_date is not null
            then previous_spell.spell_start_date
        else spell_starts.spell_start_date
    end as stability_clock_start_date
from spelled
inner join spell_starts
    on spelled.la_code = spell_starts.la_code
    and spelled.period_of_care_id = spell_starts.period_of_care_id
    and spelled.spell_number = spell_starts.spell_number
left join spell_starts as previous_spell
    on spelled.la_code = previous_spell.la_code
    and spelled.period_of_care_id = previous_spell.period_of_care_id
    and spelled.spell_number - 1 = previous_spell.spell_number
