-- MoJ proven reoffending, per cohort period (financial years and rolling years) and child:
--   cohort    children cautioned, convicted or released from custody in the period; their
--             first such event in the period is the index date;
--   reoffence an offence committed after the index date and within 12 months of it, proven
--             by a caution or conviction within 18 months of the index date (12 months' follow
--             up plus a 6-month waiting period for the outcome); breaches of an order are not
--             new offences.
-- A cohort's figures are final once 18 months have passed since the period's end; before that
-- they are a "live tracker" (`is_follow_up_complete` false), published as separate statistics.
-- Dates are month arithmetic: 12 months after 31 August is 31 August, 6 months after it is
-- the last day of February.
with periods as (
    select period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}
    where period_type in ('financial_year', 'rolling_12_months')
),

outcomes as (
    select * from {{ ref('int_yj_outcomes') }}
),

extract as (
    select max(extract_date) as extract_date from {{ ref('stg_youth_justice__persons') }}
),

index_events as (
    select
        la_code,
        person_id,
        outcome_date as index_date,
        case when is_out_of_court then 'out_of_court' else 'court' end as index_route
    from outcomes
    where is_formal
    union all
    select
        la_code,
        person_id,
        end_date as index_date,
        'custody_release' as index_route
    from {{ ref('stg_youth_justice__custody_episodes') }}
    where episode_type_code = 'SENTENCED'
        and end_date is not null
),

ranked as (
    select
        periods.period_id,
        periods.period_end,
        index_events.la_code,
        index_events.person_id,
        index_events.index_date,
        index_events.index_route,
        row_number() over (
            partition by periods.period_id, index_events.la_code, index_events.person_id
            order by index_events.index_date, index_events.index_route
        ) as event_order
    from periods
    inner join index_events
        on index_events.index_date between periods.period_start and periods.period_end
),

cohort as (
    select
        period_id,
        period_end,
        la_code,
        person_id,
        index_date,
        index_route,
        cast({{ dbt.dateadd('month', 12, 'index_date') }} as date) as follow_up_end_date,
        cast({{ dbt.dateadd('month', 18, 'index_date') }} as date) as proven_by_date
    from ranked
    where event_order = 1
),

proven_offences as (
    select
        offences.la_code,
        offences.person_id,
        offences.offence_id,
        offences.offence_date,
        outcomes.outcome_date
    from {{ ref('stg_youth_justice__offences') }} as offences
    inner join outcomes
        on offences.la_code = outcomes.la_code
        and offences.outcome_id = outcomes.outcome_id
    where outcomes.is_formal
        and offences.offence_category_code <> 'BREACH'
),

counted as (
    select
        cohort.period_id,
        cohort.la_code,
        cohort.person_id,
        count(proven_offences.offence_id) as reoffences
    from cohort
    left join proven_offences
        on cohort.la_code = proven_offences.la_code
        and cohort.person_id = proven_offences.person_id
        and proven_offences.offence_date > cohort.index_date
        and proven_offences.offence_date <= cohort.follow_up_end_date
        and proven_offences.outcome_date <= cohort.proven_by_date
    group by cohort.period_id, cohort.la_code, cohort.person_id
),

persons as (
    select * from {{ ref('stg_youth_justice__persons') }}
)

select
    cohort.period_id,
    cohort.la_code,
    cohort.person_id,
    cohort.index_date,
    cohort.index_route,
    cohort.follow_up_end_date,
    cohort.proven_by_date,
    persons.sex,
    counted.reoffences,
    counted.reoffences > 0 as is_reoffender,
    coalesce(cast({{ dbt.dateadd('month', 18, 'cohort.period_end') }} as date) <= extract.extract_date, false) as is_follow_up_complete
from cohort
inner join counted
    on cohort.period_id = counted.period_id
    and cohort.la_code = counted.la_code
    and cohort.person_id = counted.person_id
left join persons
    on cohort.la_code = persons.la_code
    and cohort.person_id = persons.person_id
cross join extract
