-- P3_REREFERRAL_12M (Annex B H8, social care stream): referrals in the year for a child with a
-- previous referral within the 12 months before, as a share of all referrals in the year (the
-- DfE definition; RBKC's published wording inverts it). "Ever" counts a previous referral at any
-- interval, which Annex B also asks for.
with frame as (
    {{ area_periods(['financial_year']) }}
),

referrals as (
    select * from {{ ref('int_referrals') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(referrals.referral_id) as referrals,
        sum(case when referrals.is_rereferral_12m then 1 else 0 end) as rereferrals_12m,
        sum(case when referrals.is_rereferral_ever then 1 else 0 end) as rereferrals_ever
    from frame
    left join referrals
        on frame.la_code = referrals.la_code
        and frame.financial_year = referrals.financial_year
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_REREFERRAL_12M', 'percent', 'percent', 'rereferrals_12m', 'referrals') }}
union all
{{ measure_row('P3_REREFERRAL_12M', 'percent_ever', 'percent', 'rereferrals_ever', 'referrals') }}
