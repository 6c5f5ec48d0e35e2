-- P3_REREFERRAL_12M, early help stream (Annex B H8 asks for social care and early help):
-- early help episodes started in the year for a child whose previous early help episode closed in
-- the 12 months before, as a share of all early help episodes started. Held as the separate
-- statistic `percent_early_help`; `percent` is the social care stream (msr_p3_rereferrals).
with frame as (
    {{ area_periods(['financial_year']) }}
),

episodes as (
    select * from {{ ref('int_early_help_episodes') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(episodes.episode_id) as episodes_started,
        sum(case when episodes.follows_closure_within_12_months then 1 else 0 end) as repeat_episodes
    from frame
    left join episodes
        on frame.la_code = episodes.la_code
        and frame.financial_year = episodes.start_financial_year
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_REREFERRAL_12M', 'percent_early_help', 'percent', 'repeat_episodes', 'episodes_started') }}
