-- P2_PUPIL_CHARACTERISTICS: pupils on roll at state-funded schools in the borough at the
-- spring (January) census, reported at the 31 March snapshot of the same academic year:
-- headcount (single and main registrations), how many live in the borough, and the shares with
-- SEN (EHC plan or SEN support), an EHC plan, SEN support, free school meals and English as an
-- additional language. Breakdown by phase. The base is pupils at the borough's schools, as the
-- councils publish ("3650 pupils in Westminster schools"); residents are a companion count.
with frame as (
    select area.la_code, area.period_id, area.period_end, breakdowns.breakdown, breakdowns.breakdown_value
    from ({{ area_periods(['snapshot']) }}) as area
    cross join ({{ education_breakdown_values(['phase']) }}) as breakdowns
    where area.is_year_end_snapshot
),

pupils as (
    select *
    from {{ ref('int_pupil_census') }}
    where census_term = 'SPR' and is_borough_school and is_in_headcount
),

long as (
    select school_la_code, academic_year, is_resident, sen_provision, is_fsm_eligible, is_eal, 'all' as breakdown, 'all' as breakdown_value from pupils
    union all
    select school_la_code, academic_year, is_resident, sen_provision, is_fsm_eligible, is_eal, 'phase', phase_group from pupils
),

totals as (
    select
        school_la_code as la_code,
        academic_year,
        breakdown,
        breakdown_value,
        count(*) as pupils,
        sum(case when is_resident then 1 else 0 end) as residents,
        sum(case when sen_provision in ('E', 'K') then 1 else 0 end) as sen,
        sum(case when sen_provision = 'E' then 1 else 0 end) as ehcp,
        sum(case when sen_provision = 'K' then 1 else 0 end) as sen_support,
        sum(case when is_fsm_eligible then 1 else 0 end) as fsm,
        sum(case when is_eal then 1 else 0 end) as eal
    from long
    group by school_la_code, academic_year, breakdown, breakdown_value
),

counted as (
    select
        frame.la_code,
        frame.period_id,
        frame.breakdown,
        frame.breakdown_value,
        coalesce(totals.pupils, 0) as pupils,
        coalesce(totals.residents, 0) as residents,
        coalesce(totals.sen, 0) as sen,
        coalesce(totals.ehcp, 0) as ehcp,
        coalesce(totals.sen_support, 0) as sen_support,
        coalesce(totals.fsm, 0) as fsm,
        coalesce(totals.eal, 0) as eal
    from frame
    left join totals
        on frame.la_code = totals.la_code
        and extract(year from frame.period_end) = totals.academic_year
        and frame.breakdown = totals.breakdown
        and frame.breakdown_value = totals.breakdown_value
)

{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'count_pupils', 'count', 'pupils', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'count_residents', 'count', 'residents', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'pct_residents', 'percent', 'residents', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'count_sen', 'count', 'sen', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'pct_sen', 'percent', 'sen', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'count_ehcp', 'count', 'ehcp', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'pct_ehcp', 'percent', 'ehcp', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'count_sen_support', 'count', 'sen_support', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'pct_sen_support', 'percent', 'sen_support', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'pct_fsm', 'percent', 'fsm', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_PUPIL_CHARACTERISTICS', 'pct_eal', 'percent', 'eal', 'pupils', 'breakdown', 'breakdown_value') }}
