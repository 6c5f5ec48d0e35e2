-- P2_OFSTED_GOOD_OUTSTANDING: state-funded schools in the borough open on the as-at date
-- with an Ofsted overall effectiveness judgement in force then; the share judged good or
-- outstanding, with outstanding and good apart. As at 31 March (year-end snapshots) and 31
-- August (academic years). Companion: the share of pupils (on roll at the last census of the
-- academic year on or before the date) attending a good or outstanding school. Breakdown by
-- phase.
with frame as (
    select area.la_code, area.period_id, area.period_end, breakdowns.breakdown, breakdowns.breakdown_value
    from ({{ area_periods(['snapshot', 'academic_year']) }}) as area
    cross join ({{ education_breakdown_values(['phase']) }}) as breakdowns
    where area.is_year_end_snapshot or area.period_type = 'academic_year'
),

judgements as (
    select * from {{ ref('int_school_judgements') }}
    where is_judged
),

census as (
    select urn, census_date, academic_year, count(*) as pupils
    from {{ ref('int_pupil_census') }}
    where is_in_headcount
    group by urn, census_date, academic_year
),

latest_census as (
    select
        judgements.period_id,
        judgements.urn,
        census.pupils,
        row_number() over (partition by judgements.period_id, judgements.urn order by census.census_date desc) as recency
    from judgements
    inner join census
        on judgements.urn = census.urn
        and census.census_date <= judgements.as_at_date
        and census.academic_year = {{ academic_year_of('judgements.as_at_date') }}
),

schools as (
    select
        judgements.school_la_code as la_code,
        judgements.period_id,
        judgements.phase_group,
        judgements.grade_in_force,
        judgements.is_good_or_outstanding,
        coalesce(latest_census.pupils, 0) as pupils
    from judgements
    left join latest_census
        on judgements.period_id = latest_census.period_id
        and judgements.urn = latest_census.urn
        and latest_census.recency = 1
),

long as (
    select la_code, period_id, grade_in_force, is_good_or_outstanding, pupils, 'all' as breakdown, 'all' as breakdown_value from schools
    union all
    select la_code, period_id, grade_in_force, is_good_or_outstanding, pupils, 'phase', phase_group from schools
),

totals as (
    select
        la_code,
        period_id,
        breakdown,
        breakdown_value,
        count(*) as judged,
        sum(case when is_good_or_outstanding then 1 else 0 end) as good_or_outstanding,
        sum(case when grade_in_force = '1' then 1 else 0 end) as outstanding,
        sum(case when grade_in_force = '2' then 1 else 0 end) as good,
        sum(pupils) as pupils,
        sum(case when is_good_or_outstanding then pupils else 0 end) as pupils_good_or_outstanding
    from long
    group by la_code, period_id, breakdown, breakdown_value
),

counted as (
    select
        frame.la_code,
        frame.period_id,
        frame.breakdown,
        frame.breakdown_value,
        coalesce(totals.judged, 0) as judged,
        coalesce(totals.good_or_outstanding, 0) as good_or_outstanding,
        coalesce(totals.outstanding, 0) as outstanding,
        coalesce(totals.good, 0) as good,
        coalesce(totals.pupils, 0) as pupils,
        coalesce(totals.pupils_good_or_outstanding, 0) as pupils_good_or_outstanding
    from frame
    left join totals
        on frame.la_code = totals.la_code
        and frame.period_id = totals.period_id
        and frame.breakdown = totals.breakdown
        and frame.breakdown_value = totals.breakdown_value
)

{{ measure_row('P2_OFSTED_GOOD_OUTSTANDING', 'percent', 'percent', 'good_or_outstanding', 'judged', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_OFSTED_GOOD_OUTSTANDING', 'count', 'count', 'good_or_outstanding', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_OFSTED_GOOD_OUTSTANDING', 'pct_outstanding', 'percent', 'outstanding', 'judged', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_OFSTED_GOOD_OUTSTANDING', 'count_outstanding', 'count', 'outstanding', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_OFSTED_GOOD_OUTSTANDING', 'pct_good', 'percent', 'good', 'judged', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_OFSTED_GOOD_OUTSTANDING', 'count_good', 'count', 'good', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_OFSTED_GOOD_OUTSTANDING', 'count_judged', 'count', 'judged', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_OFSTED_GOOD_OUTSTANDING', 'pct_pupils_good_outstanding', 'percent', 'pupils_good_or_outstanding', 'pupils', 'breakdown', 'breakdown_value') }}
