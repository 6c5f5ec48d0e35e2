-- P3_CLA_MISSING_RHI: missing episodes of looked-after children (missing, not away) that
-- ended - the child returned or was found - in the financial year (`count_returns`); shares
-- where a return home interview was offered within 72 hours of the return (statutory guidance;
-- an offer with no recorded time cannot show it was in time), was completed, and was declined
-- (offered, not accepted).
with frame as (
    {{ area_periods(['financial_year']) }}
),

returns as (
    select
        frame.period_id,
        episodes.la_code,
        episodes.missing_episode_id,
        coalesce(
            episodes.rhi_offered_code = 'Y'
            and episodes.rhi_offered_at is not null
            and {{ dbt.datediff('episodes.returned_at', 'episodes.rhi_offered_at', 'second') }} <= 72 * 3600,
            false
        ) as offered_in_72_hours,
        (episodes.rhi_completed_at is not null) as completed,
        coalesce(episodes.rhi_offered_code = 'Y' and episodes.rhi_accepted_code = 'N', false) as declined
    from {{ ref('stg_mosaic__missing_episodes') }} as episodes
    inner join frame
        on episodes.la_code = frame.la_code
        and episodes.return_date between frame.period_start and frame.period_end
    where episodes.episode_type_code = 'M'
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(returns.missing_episode_id) as returns,
        sum(case when returns.offered_in_72_hours then 1 else 0 end) as offered,
        sum(case when returns.completed then 1 else 0 end) as completed,
        sum(case when returns.declined then 1 else 0 end) as declined
    from frame
    left join returns
        on frame.period_id = returns.period_id
        and frame.la_code = returns.la_code
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_CLA_MISSING_RHI', 'count_returns', 'count', 'returns') }}
union all
{{ measure_row('P3_CLA_MISSING_RHI', 'pct_offered', 'percent', 'offered', 'returns') }}
union all
{{ measure_row('P3_CLA_MISSING_RHI', 'pct_completed', 'percent', 'completed', 'returns') }}
union all
{{ measure_row('P3_CLA_MISSING_RHI', 'pct_declined', 'percent', 'declined', 'returns') }}
