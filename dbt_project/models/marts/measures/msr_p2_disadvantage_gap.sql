-- P2_DISADVANTAGE_GAP: the attainment of disadvantaged pupils (DfE: eligible for free school
-- meals at any census in the last six years, or looked after now or before) and of all other
-- pupils, at each key stage, at schools in the borough (breakdown 'disadvantage'). The gap
-- is the second group's value minus the first's; it is not a ratio of counts, so it cannot be
-- pooled across the boroughs as one: the rows here hold each group's numerator and
-- denominator (which pool), and the gap (the registry's gap_* statistics, in percentage
-- points or Attainment 8 points) is the difference of the two pooled values.
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

{{ measure_row('P2_DISADVANTAGE_GAP', 'pct_gld', 'percent', 'eyfsp_gld', 'eyfsp_pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_DISADVANTAGE_GAP', 'pct_ks2_rwm', 'percent', 'ks2_expected', 'ks2_pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_DISADVANTAGE_GAP', 'pct_ks4_eng_maths', 'percent', 'ks4_grade_4', 'ks4_pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_DISADVANTAGE_GAP', 'mean_attainment8', 'mean', 'ks4_attainment_8_total', 'ks4_attainment_8_pupils', 'breakdown', 'breakdown_value') }}
