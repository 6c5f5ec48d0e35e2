-- P3_REFERRALS, front door companions: contacts received in the period and the share that led to
-- a referral of the same child within the following days (int_contacts).
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

contacts as (
    select * from {{ ref('int_contacts') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(contacts.contact_id) as contacts,
        sum(case when contacts.led_to_referral then 1 else 0 end) as contacts_to_referral
    from frame
    left join contacts
        on frame.la_code = contacts.la_code
        and contacts.contact_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_REFERRALS', 'count_contacts', 'count', 'contacts') }}
union all
{{ measure_row('P3_REFERRALS', 'pct_contacts_to_referral', 'percent', 'contacts_to_referral', 'contacts') }}
