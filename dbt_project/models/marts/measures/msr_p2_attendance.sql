-- P2_ATTENDANCE: attendance of pupils of compulsory school age (5-15 at the start of the
-- academic year) at state-funded schools in the borough (the school-based figure the councils
-- publish, "attendance in all WCC schools"), over the academic year. Companions: persistent
-- absence (10% or more of possible sessions missed) and absence over 30% (the Vulnerable
-- Children's Collaborative threshold). One row per pupil and school (DfE enrolment basis).
-- Breakdowns: free school meals, SEN, social care status on the spring census day (looked
-- after, else on a CP plan, else in need), ethnicity and phase. Attendance for summer 2020 was
-- not collected, so 2019/20 covers the autumn and spring terms.
with pupils as (
    select *
    from {{ ref('int_pupil_years') }}
    where is_borough_school and is_compulsory_school_age and sessions_possible > 0
),

counted as (
    {{ academic_year_totals('pupils', {
        'pupils': '1',
        'sessions_possible': 'sessions_possible',
        'sessions_attended': 'sessions_possible - sessions_absent',
        'persistently_absent': 'case when sessions_absent * 10 >= sessions_possible then 1 else 0 end',
        'absent_over_30': 'case when sessions_absent * 10 > sessions_possible * 3 then 1 else 0 end',
    }, ['fsm', 'send', 'social_care', 'ethnicity', 'phase']) }}
)

{#- Whole sessions keep the thresholds exact: 10% absence counts as persistent absence. #}
{{ measure_row('P2_ATTENDANCE', 'percent', 'percent', 'sessions_attended', 'sessions_possible', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_ATTENDANCE', 'pct_persistent_absence', 'percent', 'persistently_absent', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_ATTENDANCE', 'pct_absence_over_30', 'percent', 'absent_over_30', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_ATTENDANCE', 'count_pupils', 'count', 'pupils', breakdown='breakdown', breakdown_value='breakdown_value') }}
