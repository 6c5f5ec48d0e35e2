-- P2_DISADVANTAGE_GAP: the attainment of disadvantaged pupils (DfE: eligible for free school
-- meals at any census in the last six years, or looked after now or before) and of all other
-- pupils, at each key stage, at schools in the borough. The gap is the second minus the first;
-- it is not a ratio of counts, so it cannot be pooled across the boroughs directly: the rows
-- here hold each group's pooled numerator and denominator, and the gap is their difference
-- (percentage points; Attainment 8 points).
with pupils as (
    select * from {{ ref('int_pupil_results') }}
    where is_borough_school
),

counted as (
    {{ academic_year_totals('pupils', {
        'eyfsp_pupils': "case when key_stage = 'EYFSP' then 1 else 0 end",
        'eyfsp_gld': "case when key_stage = 'EYFSP' and is_expected_standard then 1 else 0 end",
        'ks2_pupils': "case when key_stage = 'KS2' then 1 else 0 end",
        'ks2_expected': "case when key_stage = 'KS2' and is_expected_standard then 1 else 0 end",
        'ks4_pupils': "case when key_stage = 'KS4' then 1 else 0 end",
        'ks4_grade_4': "case when key_stage = 'KS4' and is_expected_standard then 1 else 0 end",
        'ks4_attainment_8_total': "case when key_stage = 'KS4' then coalesce(attainment_8, 0) else 0 end",
        'ks4_attainment_8_pupils': "case when key_stage = 'KS4' and attainment_8 is not null then 1 else 0 end",
    }, ['disadvantage']) }}
)

{{ measure_row('P2_DISADVANTAGE_GAP', 'gld_percent', 'percent', 'eyfsp_gld', 'eyfsp_pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_DISADVANTAGE_GAP', 'ks2_rwm_percent', 'percent', 'ks2_expected', 'ks2_pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_DISADVANTAGE_GAP', 'ks4_grade_4_percent', 'percent', 'ks4_grade_4', 'ks4_pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_DISADVANTAGE_GAP', 'ks4_attainment_8_mean', 'mean', 'ks4_attainment_8_total', 'ks4_attainment_8_pupils', 'breakdown', 'breakdown_value') }}
