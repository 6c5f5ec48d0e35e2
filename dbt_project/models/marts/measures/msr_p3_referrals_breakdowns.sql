-- P3_REFERRALS by the breakdowns the documents use: referral source (CIN census code), age band
-- at referral (DfE bands, unborn included), ethnicity (Census 2021 high-level group) and
-- disability (any recorded; "Not recorded" when the child has no disability record). Count and
-- share of all referrals in the year. Every value of every breakdown has a row, so a zero shows.
with frame as (
    {{ area_periods(['financial_year']) }}
),

referrals as (
    select
        referrals.la_code,
        referrals.referral_id,
        referrals.financial_year,
        coalesce(referrals.referral_source_code, 'Not recorded') as referral_source,
        {{ cin_age_band('persons.date_of_birth', 'referrals.referral_date') }} as age_band,
        coalesce(groups.census_2021_group, 'Not known') as ethnicity,
        case when disabled.person_id is null then 'Not recorded' when disabled.is_disabled then 'Disabled' else 'Not disabled' end as disability
    from {{ ref('int_referrals') }} as referrals
    left join {{ ref('stg_mosaic__persons') }} as persons
        on referrals.la_code = persons.la_code
        and referrals.person_id = persons.person_id
    left join {{ ref('ethnicity_groups') }} as groups
        on referrals.ethnicity = groups.ethnicity_code
    left join {{ ref('int_disabled_children') }} as disabled
        on referrals.la_code = disabled.la_code
        and referrals.person_id = disabled.person_id
),

referrals_long as (
    select la_code, referral_id, financial_year, 'referral_source' as breakdown, referral_source as breakdown_value from referrals
    union all
    select la_code, referral_id, financial_year, 'age_band', age_band from referrals
    union all
    select la_code, referral_id, financial_year, 'ethnicity', ethnicity from referrals
    union all
    select la_code, referral_id, financial_year, 'disability', disability from referrals
),

breakdown_values as (
    select distinct breakdown, breakdown_value from referrals_long
    union
    select 'age_band', breakdown_value from ({{ cin_age_bands() }}) as bands
    union
    select distinct 'ethnicity', census_2021_group from {{ ref('ethnicity_groups') }}
    union
    select 'disability', d from (values ('Disabled'), ('Not disabled'), ('Not recorded')) as statuses (d)
),

totals as (
    select la_code, financial_year, count(*) as referrals
    from referrals
    group by la_code, financial_year
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdown_values.breakdown,
        breakdown_values.breakdown_value,
        count(referrals_long.referral_id) as referrals,
        coalesce(max(totals.referrals), 0) as all_referrals
    from frame
    cross join breakdown_values
    left join referrals_long
        on frame.la_code = referrals_long.la_code
        and frame.financial_year = referrals_long.financial_year
        and breakdown_values.breakdown = referrals_long.breakdown
        and breakdown_values.breakdown_value = referrals_long.breakdown_value
    left join totals
        on frame.la_code = totals.la_code
        and frame.financial_year = totals.financial_year
    group by frame.period_id, frame.la_code, breakdown_values.breakdown, breakdown_values.breakdown_value
)

{{ measure_row('P3_REFERRALS', 'count', 'count', 'referrals', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_REFERRALS', 'pct_of_total', 'percent', 'referrals', 'all_referrals', breakdown='breakdown', breakdown_value='breakdown_value') }}
