-- P3_REFERRALS: referrals received in the period (CIN census), the rate per 10,000 children
-- aged 0-17 (financial years), and the share that led to a social work assessment (RBKC's
-- local conversion measure).
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

referrals as (
    select * from {{ ref('int_referrals') }}
),

denominators as (
    select * from {{ ref('int_denominators') }}
),

counted as (
    select
        frame.period_id,
        frame.period_type,
        frame.la_code,
        denominators.population_0_17,
        count(referrals.referral_id) as referrals,
        sum(case when referrals.led_to_assessment then 1 else 0 end) as referrals_assessed
    from frame
    left join referrals
        on frame.la_code = referrals.la_code
        and frame.financial_year = referrals.financial_year
        and (frame.period_type = 'financial_year' or frame.financial_quarter = referrals.financial_quarter)
    left join denominators
        on frame.la_code = denominators.la_code
        and frame.mid_year = denominators.mid_year
    group by frame.period_id, frame.period_type, frame.la_code, denominators.population_0_17
)

{{ measure_row('P3_REFERRALS', 'count', 'count', 'referrals') }}
union all
{{ measure_row('P3_REFERRALS', 'rate_per_10k', 'rate_per_10k', 'referrals', 'population_0_17', where="period_type = 'financial_year'") }}
union all
{{ measure_row('P3_REFERRALS', 'pct_to_assessment', 'percent', 'referrals_assessed', 'referrals') }}
