-- P3_YJ_CUSTODY: custodial sentences given to children living in the borough, with the YJB rate
-- per 1,000 aged 10-17 (rolling 12 months and financial years); remands to youth detention and
-- to local authority accommodation (episodes started, distinct children, and looked-after
-- children, who are found in Mosaic through the recorded Mosaic id); children held overnight in
-- police custody (instances and distinct children, and looked-after children as the YJS
-- recorded it, or Mosaic where it did not). Distinct-children counts are computed, never summed.
with frame as (
    {{ area_periods(['rolling_12_months', 'financial_year', 'quarter']) }}
),

persons as (
    select * from {{ ref('stg_youth_justice__persons') }}
),

care as (
    select * from {{ ref('int_cla_periods') }}
    where not is_short_breaks_only
),

custodial as (
    select la_code, outcome_id, outcome_date
    from {{ ref('int_yj_outcomes') }}
    where is_custodial
        and is_resident
        and age_at_offence between 10 and 17
),

remands as (
    select
        episodes.la_code,
        episodes.episode_id,
        episodes.person_id,
        episodes.start_date,
        case episodes.episode_type_code
            when 'REMAND_YDA' then 'youth_detention_accommodation'
            else 'local_authority_accommodation'
        end as remand_type,
        exists (
            select 1 from care
            where care.la_code = episodes.la_code
                and care.person_id = persons.mosaic_person_id
                and {{ open_on('care.start_date', 'care.end_date', 'episodes.start_date') }}
        ) as is_looked_after
    from {{ ref('stg_youth_justice__custody_episodes') }} as episodes
    left join persons
        on episodes.la_code = persons.la_code
        and episodes.person_id = persons.person_id
    where episodes.is_remand
),

overnight as (
    select
        detentions.la_code,
        detentions.detention_id,
        detentions.person_id,
        detentions.detention_date,
        coalesce(
            detentions.is_looked_after_recorded,
            exists (
                select 1 from care
                where care.la_code = detentions.la_code
                    and care.person_id = persons.mosaic_person_id
                    and {{ open_on('care.start_date', 'care.end_date', 'detentions.detention_date') }}
            )
        ) as is_looked_after
    from {{ ref('stg_youth_justice__police_detentions') }} as detentions
    left join persons
        on detentions.la_code = persons.la_code
        and detentions.person_id = persons.person_id
    where detentions.is_held_overnight
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        frame.period_type,
        max(denominators.population_10_17) as population_10_17,
        (select count(*) from custodial
         where custodial.la_code = frame.la_code and custodial.outcome_date between frame.period_start and frame.period_end) as custodial_sentences,
        (select count(*) from remands
         where remands.la_code = frame.la_code and remands.start_date between frame.period_start and frame.period_end) as remands,
        (select count(distinct remands.person_id) from remands
         where remands.la_code = frame.la_code and remands.start_date between frame.period_start and frame.period_end) as children_remanded,
        (select count(distinct remands.person_id) from remands
         where remands.la_code = frame.la_code and remands.is_looked_after
             and remands.start_date between frame.period_start and frame.period_end) as looked_after_children_remanded,
        (select count(*) from overnight
         where overnight.la_code = frame.la_code and overnight.detention_date between frame.period_start and frame.period_end) as held_overnight,
        (select count(distinct overnight.person_id) from overnight
         where overnight.la_code = frame.la_code and overnight.detention_date between frame.period_start and frame.period_end) as children_held_overnight,
        (select count(distinct overnight.person_id) from overnight
         where overnight.la_code = frame.la_code and overnight.is_looked_after
             and overnight.detention_date between frame.period_start and frame.period_end) as looked_after_children_held_overnight
    from frame
    left join {{ ref('int_denominators') }} as denominators
        on frame.la_code = denominators.la_code and frame.mid_year = denominators.mid_year
    group by frame.period_id, frame.la_code, frame.period_type, frame.period_start, frame.period_end
),

remands_by_type as (
    select frame.period_id, frame.la_code, types.remand_type, count(remands.episode_id) as remands
    from frame
    cross join (
        select 'youth_detention_accommodation' as remand_type
        union all select 'local_authority_accommodation'
    ) as types
    left join remands
        on frame.la_code = remands.la_code
        and types.remand_type = remands.remand_type
        and remands.start_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code, types.remand_type
)

{{ measure_row('P3_YJ_CUSTODY', 'count_custodial_sentences', 'count', 'custodial_sentences') }}
union all
{{ measure_row('P3_YJ_CUSTODY', 'rate_per_1000', 'rate_per_1000', 'custodial_sentences', 'population_10_17', where="period_type in ('rolling_12_months', 'financial_year')") }}
union all
{{ measure_row('P3_YJ_CUSTODY', 'count_remands', 'count', 'remands') }}
union all
{{ measure_row('P3_YJ_CUSTODY', 'count_remands', 'count', 'remands', breakdown="'remand_type'", breakdown_value='remand_type', relation='remands_by_type') }}
union all
{{ measure_row('P3_YJ_CUSTODY', 'count_children_remanded', 'count', 'children_remanded') }}
union all
{{ measure_row('P3_YJ_CUSTODY', 'count_looked_after_children_remanded', 'count', 'looked_after_children_remanded') }}
union all
{{ measure_row('P3_YJ_CUSTODY', 'count_held_overnight', 'count', 'held_overnight') }}
union all
{{ measure_row('P3_YJ_CUSTODY', 'count_children_held_overnight', 'count', 'children_held_overnight') }}
union all
{{ measure_row('P3_YJ_CUSTODY', 'count_looked_after_children_held_overnight', 'count', 'looked_after_children_held_overnight') }}
