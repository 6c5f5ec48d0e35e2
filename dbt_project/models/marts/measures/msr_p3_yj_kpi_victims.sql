-- P3_YJ_KPI_VICTIMS (YJB KPI, victims): victims referred to the YJS in the period, the share
-- offered restorative justice or other support, the share who engaged, and the share the YJS
-- contacted within 5 days of the referral (WCC's target); by route of the offence's outcome
-- (diversion: out of court; court) and, for counts, by what came of the work.
with frame as (
    {{ area_periods(['financial_year', 'quarter', 'calendar_year']) }}
),

victims as (
    select
        victims.la_code,
        victims.victim_id,
        victims.referred_date,
        victims.is_offered_support,
        victims.is_engaged,
        victims.rj_outcome_code,
        victims.yjs_contact_date is not null
            and {{ dbt.datediff('victims.referred_date', 'victims.yjs_contact_date', 'day') }} <= 5 as is_contacted_within_5_days,
        case when outcomes.is_out_of_court then 'diversion' else 'court' end as route
    from {{ ref('stg_youth_justice__victims') }} as victims
    left join {{ ref('stg_youth_justice__offences') }} as offences
        on victims.la_code = offences.la_code
        and victims.offence_id = offences.offence_id
    left join {{ ref('int_yj_outcomes') }} as outcomes
        on offences.la_code = outcomes.la_code
        and offences.outcome_id = outcomes.outcome_id
),

tagged as (
    select victims.*, 'all' as breakdown, 'all' as breakdown_value from victims
    union all
    select victims.*, 'route', route from victims
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        values_.breakdown,
        values_.breakdown_value,
        count(tagged.victim_id) as victims,
        sum(case when tagged.is_offered_support then 1 else 0 end) as offered,
        sum(case when tagged.is_engaged then 1 else 0 end) as engaged,
        sum(case when tagged.is_contacted_within_5_days then 1 else 0 end) as contacted_within_5_days
    from frame
    cross join (
        select 'all' as breakdown, 'all' as breakdown_value
        union all select 'route', 'diversion'
        union all select 'route', 'court'
    ) as values_
    left join tagged
        on frame.la_code = tagged.la_code
        and values_.breakdown = tagged.breakdown
        and values_.breakdown_value = tagged.breakdown_value
        and tagged.referred_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code, values_.breakdown, values_.breakdown_value
),

by_result as (
    select frame.period_id, frame.la_code, results.rj_outcome_code, count(victims.victim_id) as victims
    from frame
    cross join (
        select 'DIRECT' as rj_outcome_code
        union all select 'INDIRECT'
        union all select 'INFORMATION'
        union all select 'DECLINED'
        union all select 'NOT_EXPLORED'
        union all select 'NOT_PURSUED'
    ) as results
    left join victims
        on frame.la_code = victims.la_code
        and results.rj_outcome_code = victims.rj_outcome_code
        and victims.referred_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code, results.rj_outcome_code
)

{{ measure_row('P3_YJ_KPI_VICTIMS', 'count_victims', 'count', 'victims', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_YJ_KPI_VICTIMS', 'count_offered', 'count', 'offered', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_YJ_KPI_VICTIMS', 'count_engaged', 'count', 'engaged', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_YJ_KPI_VICTIMS', 'pct_offered', 'percent', 'offered', 'victims', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_YJ_KPI_VICTIMS', 'pct_engaged', 'percent', 'engaged', 'victims', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_YJ_KPI_VICTIMS', 'pct_contacted_within_5_days', 'percent', 'contacted_within_5_days', 'victims', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_YJ_KPI_VICTIMS', 'count_victims', 'count', 'victims', breakdown="'rj_outcome'", breakdown_value='rj_outcome_code', relation='by_result') }}
