-- P2_KS4_ENG_MATHS and P2_KS4_PROGRESS8: pupils at the end of key stage 4 at schools in the
-- borough. Grade 4 or above (and 5 or above) in both English and maths; mean Attainment 8
-- and mean Progress 8. Means are held as sum and count (unit mean) so the bi-borough figure
-- pools correctly; Progress 8 counts only pupils with a score (it needs key stage 2 prior
-- attainment, and the DfE calculated none in 2019/20 and 2020/21, when grades were centre- and
-- teacher-assessed).
with pupils as (
    select * from {{ ref('int_pupil_results') }}
    where key_stage = 'KS4' and is_borough_school
),

counted as (
    {{ academic_year_totals('pupils', {
        'pupils': '1',
        'grade_4': 'case when is_expected_standard then 1 else 0 end',
        'grade_5': 'case when is_grade_5 then 1 else 0 end',
        'attainment_8_total': 'coalesce(attainment_8, 0)',
        'attainment_8_pupils': 'case when attainment_8 is not null then 1 else 0 end',
        'progress_8_total': 'coalesce(progress_8, 0)',
        'progress_8_pupils': 'case when progress_8 is not null then 1 else 0 end',
    }, ['disadvantage', 'fsm', 'send', 'social_care', 'ethnicity', 'sex']) }}
)

{{ measure_row('P2_KS4_ENG_MATHS', 'pct_grade_4', 'percent', 'grade_4', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_KS4_ENG_MATHS', 'pct_grade_5', 'percent', 'grade_5', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_KS4_ENG_MATHS', 'count_pupils', 'count', 'pupils', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P2_KS4_PROGRESS8', 'mean_attainment8', 'mean', 'attainment_8_total', 'attainment_8_pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_KS4_PROGRESS8', 'mean_progress8', 'mean', 'progress_8_total', 'progress_8_pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_KS4_PROGRESS8', 'count_progress8_pupils', 'count', 'progress_8_pupils', breakdown='breakdown', breakdown_value='breakdown_value') }}
