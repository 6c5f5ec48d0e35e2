-- P2_LAC_SCHOOL_QUALITY: children looked after at 31 March (short breaks excluded) of
-- compulsory school age (5-15 at the start of the academic year), counted by the authority
-- looking after them; numerator: on roll at the spring census (found through the UPN, at a
-- school in or out of the boroughs) at a school whose Ofsted judgement in force on 31 March
-- is good or outstanding. Companions: the share found on a school roll at all, and the share of
-- those at schools outside the two boroughs. Children not found on a roll (no UPN, or at a
-- school the extract does not cover) count in the denominator: the measure is about every
-- looked-after child. Breakdown by UASC status.
with frame as (
    select area.la_code, area.period_id, area.period_end, breakdowns.breakdown, breakdowns.breakdown_value
    from ({{ area_periods(['snapshot']) }}) as area
    cross join (
        select 'all' as breakdown, 'all' as breakdown_value
        union all select 'uasc', 'uasc'
        union all select 'uasc', 'not_uasc'
    ) as breakdowns
    where area.is_year_end_snapshot
),

looked_after as (
    select
        looked_after.period_id,
        looked_after.snapshot_date,
        looked_after.la_code,
        looked_after.person_id,
        looked_after.is_uasc,
        persons.upn_key
    from {{ ref('int_looked_after_at_snapshot') }} as looked_after
    inner join {{ ref('stg_mosaic__persons') }} as persons
        on looked_after.la_code = persons.la_code
        and looked_after.person_id = persons.person_id
    where looked_after.is_year_end_snapshot
        and {{ age_at('persons.date_of_birth', date_in_year('extract(year from looked_after.snapshot_date) - 1', '08-31')) }} between 5 and 15
),

on_roll as (
    select
        looked_after.period_id,
        looked_after.la_code,
        looked_after.person_id,
        census.urn,
        census.is_borough_school,
        row_number() over (
            partition by looked_after.period_id, looked_after.la_code, looked_after.person_id
            order by census.census_date desc, census.urn
        ) as recency
    from looked_after
    inner join {{ ref('int_pupil_census') }} as census
        on looked_after.upn_key = census.upn_key
        and census.census_date <= looked_after.snapshot_date
        and census.academic_year = extract(year from looked_after.snapshot_date)
        and census.is_in_headcount
),

children as (
    select
        looked_after.la_code,
        looked_after.period_id,
        case when looked_after.is_uasc then 'uasc' else 'not_uasc' end as uasc_group,
        case when on_roll.urn is not null then 1 else 0 end as on_school_roll,
        case when on_roll.urn is not null and not on_roll.is_borough_school then 1 else 0 end as out_of_borough,
        case when judgements.is_good_or_outstanding then 1 else 0 end as good_or_outstanding
    from looked_after
    left join on_roll
        on looked_after.period_id = on_roll.period_id
        and looked_after.la_code = on_roll.la_code
        and looked_after.person_id = on_roll.person_id
        and on_roll.recency = 1
    left join {{ ref('int_school_judgements') }} as judgements
        on on_roll.urn = judgements.urn
        and looked_after.period_id = judgements.period_id
),

long as (
    select *, 'all' as breakdown, 'all' as breakdown_value from children
    union all
    select *, 'uasc', uasc_group from children
),

totals as (
    select
        la_code, period_id, breakdown, breakdown_value,
        count(*) as children,
        sum(on_school_roll) as on_school_roll,
        sum(out_of_borough) as out_of_borough,
        sum(good_or_outstanding) as good_or_outstanding
    from long
    group by la_code, period_id, breakdown, breakdown_value
),

counted as (
    select
        frame.la_code,
        frame.period_id,
        frame.breakdown,
        frame.breakdown_value,
        coalesce(totals.children, 0) as children,
        coalesce(totals.on_school_roll, 0) as on_school_roll,
        coalesce(totals.out_of_borough, 0) as out_of_borough,
        coalesce(totals.good_or_outstanding, 0) as good_or_outstanding
    from frame
    left join totals
        on frame.la_code = totals.la_code
        and frame.period_id = totals.period_id
        and frame.breakdown = totals.breakdown
        and frame.breakdown_value = totals.breakdown_value
)

{{ measure_row('P2_LAC_SCHOOL_QUALITY', 'percent', 'percent', 'good_or_outstanding', 'children', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_LAC_SCHOOL_QUALITY', 'count', 'count', 'good_or_outstanding', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_LAC_SCHOOL_QUALITY', 'count_children', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_LAC_SCHOOL_QUALITY', 'pct_on_school_roll', 'percent', 'on_school_roll', 'children', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_LAC_SCHOOL_QUALITY', 'pct_out_of_borough', 'percent', 'out_of_borough', 'on_school_roll', 'breakdown', 'breakdown_value') }}
