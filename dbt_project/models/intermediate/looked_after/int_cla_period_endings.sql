-- Periods of care that have ended (short breaks left out), with the reason the last episode
-- ceased, the legal status then, the child's age, and whether the child came back into care
-- within 12 months (the start of their next period of care).
with periods as (
    select * from {{ ref('int_cla_periods') }}
    where end_date is not null and not is_short_breaks_only
),

last_episode as (
    select
        la_code,
        period_of_care_id,
        reason_ceased_code,
        legal_status_code,
        row_number() over (partition by la_code, period_of_care_id order by start_date desc, episode_id desc) as recency
    from {{ ref('int_cla_episodes') }}
),

all_periods as (
    select
        la_code,
        person_id,
        period_of_care_id,
        start_date,
        lead(start_date) over (partition by la_code, person_id order by start_date, period_of_care_id) as next_period_start_date
    from {{ ref('int_cla_periods') }}
    where not is_short_breaks_only
)

select
    periods.la_code,
    periods.period_of_care_id,
    periods.person_id,
    periods.start_date,
    periods.end_date,
    {{ financial_year_of('periods.end_date') }} as end_financial_year,
    last_episode.reason_ceased_code,
    last_episode.legal_status_code as legal_status_at_end_code,
    periods.was_uasc,
    {{ age_at('periods.date_of_birth', 'periods.end_date') }} as age_at_end,
    {{ cla_age_band('periods.date_of_birth', 'periods.end_date') }} as age_band_at_end,
    -- SSDA903 E4A / E4B: returned home to live with parents, relatives or another person with
    -- parental responsibility, as part of care planning or not.
    coalesce(last_episode.reason_ceased_code in ('E4A', 'E4B'), false) as is_returned_home,
    all_periods.next_period_start_date,
    coalesce(all_periods.next_period_start_date <= {{ dbt.dateadd('month', 12, 'periods.end_date') }}, false) as reentered_within_12_months
from periods
left join last_episode
    on periods.la_code = last_episode.la_code
    and periods.period_of_care_id = last_episode.period_of_care_id
    and last_episode.recency = 1
left join all_periods
    on periods.la_code = all_periods.la_code
    and periods.period_of_care_id = all_periods.period_of_care_id
