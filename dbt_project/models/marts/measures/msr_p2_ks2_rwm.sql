-- P2_KS2_RWM: pupils at the end of key stage 2 at schools in the borough reaching the expected
-- standard in reading, writing and maths combined (test scaled scores of 100 or more in
-- reading and maths, writing teacher assessment EXS or GDS). No tests in 2019/20 and 2020/21.
with pupils as (
    select * from {{ ref('int_pupil_results') }}
    where key_stage = 'KS2' and is_borough_school
),

counted as (
    {{ academic_year_totals('pupils', {
        'pupils': '1',
        'expected': 'case when is_expected_standard then 1 else 0 end',
    }, ['disadvantage', 'fsm', 'send', 'social_care', 'eal', 'ethnicity', 'sex']) }}
)

{{ measure_row('P2_KS2_RWM', 'percent', 'percent', 'expected', 'pupils', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P2_KS2_RWM', 'count_pupils', 'count', 'pupils', breakdown='breakdown', breakdown_value='breakdown_value') }}
