-- P4_SUSPENSIONS and P4_PERMANENT_EXCLUSIONS (DfE): suspensions and permanent exclusions from
-- state-funded schools in the borough in the academic year, as rates per 100 pupils on roll
-- at the spring census (headcount of single and main registrations, reception upwards), and
-- the share of pupils suspended at least once. Numerators count every exclusion in the year,
-- including pupils who left before January; characteristics are the spring census's.
-- Groups: free school meals, EHC plan / SEN support, social care status, ethnicity, phase.
-- The DfE's suspension and permanent exclusion rates are events per 100 pupils (unit
-- rate_per_100), not percentages: in a small group where suspensions outnumber pupils the rate
-- passes 100, which a percentage cannot. Lunchtime suspensions are not counted (the DfE reports
-- them apart).
with pupils as (
    select *
    from {{ ref('int_pupil_years') }}
    where is_borough_school
),

counted as (
    {{ academic_year_totals('pupils', {
        'headcount': 'case when is_on_spring_roll and coalesce(year_group, 0) >= 0 then 1 else 0 end',
        'suspensions': 'suspensions',
        'pupils_suspended': 'case when suspensions > 0 then 1 else 0 end',
        'permanent_exclusions': 'permanent_exclusions',
    }, ['fsm', 'send', 'social_care', 'ethnicity', 'phase']) }}
)

{{ measure_row('P4_SUSPENSIONS', 'count', 'count', 'suspensions', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_SUSPENSIONS', 'rate_per_100', 'rate_per_100', 'suspensions', 'headcount', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P4_SUSPENSIONS', 'pct_pupils_suspended', 'percent', 'pupils_suspended', 'headcount', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P4_SUSPENSIONS', 'count_headcount', 'count', 'headcount', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_PERMANENT_EXCLUSIONS', 'count', 'count', 'permanent_exclusions', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_PERMANENT_EXCLUSIONS', 'rate_per_100', 'rate_per_100', 'permanent_exclusions', 'headcount', 'breakdown', 'breakdown_value') }}
