-- P1_GLD: pupils at the end of reception at schools in the borough (school-based, the same
-- base as the DfE's local authority tables the councils compare with) reaching a good level
-- of development: expected or better in the early learning goals of the prime areas, literacy
-- and mathematics. The 2021-22 framework change breaks the series with 2018/19; no
-- assessments were made in 2019/20 and 2020/21, so those years have no pupils (and no value).
with pupils as (
    select * from {{ ref('int_pupil_results') }}
    where key_stage = 'EYFSP' and is_borough_school
),

counted as (
    {{ academic_year_totals('pupils', {
        'assessed': '1',
        'good_level': 'case when is_expected_standard then 1 else 0 end',
    }, ['fsm', 'disadvantage', 'send', 'eal', 'sex', 'ethnicity', 'social_care']) }}
)

{{ measure_row('P1_GLD', 'percent', 'percent', 'good_level', 'assessed', 'breakdown', 'breakdown_value') }}
union all
{{ measure_row('P1_GLD', 'count_assessed', 'count', 'assessed', breakdown='breakdown', breakdown_value='breakdown_value') }}
