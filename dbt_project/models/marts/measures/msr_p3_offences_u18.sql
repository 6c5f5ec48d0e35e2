-- P3_VIOLENT_OFFENCES_U18 and P3_KNIFE_OFFENCES_U18, the youth justice companion: offences
-- committed under 18 and proven in the period (an outcome dated in it) by children known to
-- the YJS. The police recorded-crime counts these measures are defined on need a police extract;
-- these statistics are named `proven` so the two are never confused.
--   violent: all proven offences (the caseload's offence mix, by YJB group), violence against
--            the person and robbery, and violence as a share of all;
--   knife:   proven offences involving a knife, blade or offensive weapon (possession or use),
--            the distinct children, and the offences by route (out of court or court).
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

proven as (
    select
        offences.la_code,
        offences.offence_id,
        offences.person_id,
        offences.offence_category_code,
        offences.is_weapon_involved,
        outcomes.outcome_date,
        case when outcomes.is_out_of_court then 'out_of_court' else 'court' end as route
    from {{ ref('stg_youth_justice__offences') }} as offences
    inner join {{ ref('int_yj_outcomes') }} as outcomes
        on offences.la_code = outcomes.la_code
        and offences.outcome_id = outcomes.outcome_id
    inner join {{ ref('stg_youth_justice__persons') }} as persons
        on offences.la_code = persons.la_code
        and offences.person_id = persons.person_id
    where {{ age_at('persons.date_of_birth', 'offences.offence_date') }} < 18
),

in_period as (
    select frame.period_id, frame.la_code, proven.*
    from frame
    inner join proven
        on frame.la_code = proven.la_code
        and proven.outcome_date between frame.period_start and frame.period_end
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(in_period.offence_id) as offences,
        sum(case when in_period.offence_category_code in ('VAP', 'ROBBERY') then 1 else 0 end) as violence,
        sum(case when in_period.offence_category_code = 'VAP' then 1 else 0 end) as vap,
        sum(case when in_period.offence_category_code = 'ROBBERY' then 1 else 0 end) as robbery,
        sum(case when in_period.is_weapon_involved then 1 else 0 end) as weapon_offences,
        count(distinct case when in_period.is_weapon_involved then in_period.person_id end) as weapon_children
    from frame
    left join in_period
        on frame.period_id = in_period.period_id and frame.la_code = in_period.la_code
    group by frame.period_id, frame.la_code
),

by_group as (
    select frame.period_id, frame.la_code, groups.offence_category_code, count(in_period.offence_id) as offences
    from frame
    cross join (
        select distinct offence_category_code from proven
        union
        select 'VAP'
        union
        select 'ROBBERY'
        union
        select 'DRUGS'
    ) as groups
    left join in_period
        on frame.period_id = in_period.period_id
        and frame.la_code = in_period.la_code
        and groups.offence_category_code = in_period.offence_category_code
    group by frame.period_id, frame.la_code, groups.offence_category_code
),

knife_by_route as (
    select frame.period_id, frame.la_code, routes.route, count(in_period.offence_id) as offences
    from frame
    cross join (select 'out_of_court' as route union all select 'court') as routes
    left join in_period
        on frame.period_id = in_period.period_id
        and frame.la_code = in_period.la_code
        and routes.route = in_period.route
        and in_period.is_weapon_involved
    group by frame.period_id, frame.la_code, routes.route
)

{{ measure_row('P3_VIOLENT_OFFENCES_U18', 'count_proven_offences', 'count', 'offences') }}
union all
{{ measure_row('P3_VIOLENT_OFFENCES_U18', 'count_proven_offences', 'count', 'offences', breakdown="'offence_group'", breakdown_value='offence_category_code', relation='by_group') }}
union all
{{ measure_row('P3_VIOLENT_OFFENCES_U18', 'count_proven_violence', 'count', 'violence') }}
union all
{{ measure_row('P3_VIOLENT_OFFENCES_U18', 'count_proven_vap', 'count', 'vap') }}
union all
{{ measure_row('P3_VIOLENT_OFFENCES_U18', 'count_proven_robbery', 'count', 'robbery') }}
union all
{{ measure_row('P3_VIOLENT_OFFENCES_U18', 'pct_proven_violence', 'percent', 'violence', 'offences') }}
union all
{{ measure_row('P3_KNIFE_OFFENCES_U18', 'count_proven_offences', 'count', 'weapon_offences') }}
union all
{{ measure_row('P3_KNIFE_OFFENCES_U18', 'count_proven_offences', 'count', 'offences', breakdown="'route'", breakdown_value='route', relation='knife_by_route') }}
union all
{{ measure_row('P3_KNIFE_OFFENCES_U18', 'count_proven_children', 'count', 'weapon_children') }}
