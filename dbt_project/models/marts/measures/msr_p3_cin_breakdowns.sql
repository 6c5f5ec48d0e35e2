-- P3_CIN_RATE by the breakdowns the documents use, at each snapshot: primary need of the open
-- referral (N0-N9), disability, age band and ethnicity (Census 2021 high-level group). Children
-- in need; every value of every breakdown has a row, so a zero shows.
with frame as (
    {{ area_periods(['snapshot']) }}
),

open_referrals as (
    -- The child's most recent referral open on the day (one per child).
    select
        frame.period_id,
        referrals.la_code,
        referrals.person_id,
        referrals.primary_need_code,
        row_number() over (
            partition by frame.period_id, referrals.la_code, referrals.person_id
            order by referrals.referral_date desc, referrals.referral_id desc
        ) as recency
    from frame
    inner join {{ ref('stg_mosaic__referrals') }} as referrals
        on frame.la_code = referrals.la_code
        and {{ open_on('referrals.referral_date', 'referrals.close_date', 'frame.period_end') }}
),

in_need as (
    select
        in_need.period_id,
        in_need.la_code,
        in_need.person_id,
        coalesce(open_referrals.primary_need_code, 'Not recorded') as primary_need,
        case when disabled.person_id is null then 'Not recorded' when disabled.is_disabled then 'Disabled' else 'Not disabled' end as disability,
        {{ cin_age_band('persons.date_of_birth', 'in_need.snapshot_date') }} as age_band,
        coalesce(groups.census_2021_group, 'Not known') as ethnicity
    from {{ ref('int_in_need_at_snapshot') }} as in_need
    left join open_referrals
        on in_need.period_id = open_referrals.period_id
        and in_need.la_code = open_referrals.la_code
        and in_need.person_id = open_referrals.person_id
        and open_referrals.recency = 1
    left join {{ ref('stg_mosaic__persons') }} as persons
        on in_need.la_code = persons.la_code
        and in_need.person_id = persons.person_id
    left join {{ ref('ethnicity_groups') }} as groups
        on persons.ethnicity = groups.ethnicity_code
    left join {{ ref('int_disabled_children') }} as disabled
        on in_need.la_code = disabled.la_code
        and in_need.person_id = disabled.person_id
),

in_need_long as (
    select period_id, la_code, person_id, 'primary_need' as breakdown, primary_need as breakdown_value from in_need
    union all
    select period_id, la_code, person_id, 'disability', disability from in_need
    union all
    select period_id, la_code, person_id, 'age_band', age_band from in_need
    union all
    select period_id, la_code, person_id, 'ethnicity', ethnicity from in_need
),

breakdown_values as (
    select distinct breakdown, breakdown_value from in_need_long
    union
    select 'primary_need', n from (values ('N0'), ('N1'), ('N2'), ('N3'), ('N4'), ('N5'), ('N6'), ('N7'), ('N8'), ('N9')) as needs (n)
    union
    select 'disability', d from (values ('Disabled'), ('Not disabled'), ('Not recorded')) as statuses (d)
    union
    select 'age_band', breakdown_value from ({{ cin_age_bands() }}) as bands
    union
    select distinct 'ethnicity', census_2021_group from {{ ref('ethnicity_groups') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdown_values.breakdown,
        breakdown_values.breakdown_value,
        count(distinct in_need_long.person_id) as children
    from frame
    cross join breakdown_values
    left join in_need_long
        on frame.period_id = in_need_long.period_id
        and frame.la_code = in_need_long.la_code
        and breakdown_values.breakdown = in_need_long.breakdown
        and breakdown_values.breakdown_value = in_need_long.breakdown_value
    group by frame.period_id, frame.la_code, breakdown_values.breakdown, breakdown_values.breakdown_value
)

{{ measure_row('P3_CIN_RATE', 'count', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
