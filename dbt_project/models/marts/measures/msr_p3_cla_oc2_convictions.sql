-- P3_CLA_CJS (DfE SSDA903 OC2): children aged 10 to 17 at 31 March who had been looked after
-- continuously for 12 months or more, and of them those convicted or given a youth caution or
-- youth conditional caution during the year (1 April - 31 March), from the Mosaic conviction
-- records. By UASC status, sex, ethnicity and placement type. (The youth justice domain adds
-- the companion: looked-after children among first-time entrants.)
with frame as (
    {{ area_periods(['snapshot']) }}
    and periods.is_year_end_snapshot
),

cohort as (
    select * from {{ ref('int_cla_oc2_cohort') }}
    where age_at_snapshot between 10 and 17
),

convicted as (
    select distinct cohort.period_id, cohort.la_code, cohort.person_id
    from cohort
    inner join {{ ref('stg_mosaic__cla_convictions') }} as convictions
        on cohort.la_code = convictions.la_code
        and cohort.person_id = convictions.person_id
        and convictions.conviction_date > {{ dbt.dateadd('year', -1, 'cohort.snapshot_date') }}
        and convictions.conviction_date <= cohort.snapshot_date
),

children as (
    select
        cohort.period_id,
        cohort.la_code,
        cohort.person_id,
        (convicted.person_id is not null) as was_convicted,
        {{ uasc_label('cohort.is_uasc') }} as uasc,
        coalesce(cohort.sex, 'Not known') as sex,
        cohort.ethnicity_group as ethnicity,
        cohort.placement_group as placement_type
    from cohort
    left join convicted
        on cohort.period_id = convicted.period_id
        and cohort.la_code = convicted.la_code
        and cohort.person_id = convicted.person_id
),

long as (
    {{ long_breakdowns('children', ['period_id', 'la_code', 'person_id', 'was_convicted'], ['uasc', 'sex', 'ethnicity', 'placement_type']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.person_id) as children,
        sum(case when long.was_convicted then 1 else 0 end) as convicted
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P3_CLA_CJS', 'count', 'count', 'convicted', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_CJS', 'percent', 'percent', 'convicted', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
