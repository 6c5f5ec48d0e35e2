-- P2_LAC_PROGRESS: results of the DfE outcomes cohort (looked after continuously for at least
-- twelve months at 31 March, int_looked_after_outcomes_cohort) at the end of key stage 2 and
-- key stage 4, wherever they went to school, counted by the authority looking after them.
-- KS2: expected standard in reading, writing and maths. KS4: grade 4 or above in English and
-- maths, mean Progress 8 and mean Attainment 8 (held as sum and count).
with frame as (
    {{ area_periods(['academic_year']) }}
),

cohort as (
    select * from {{ ref('int_looked_after_outcomes_cohort') }}
    where upn_key is not null
),

results as (
    select
        cohort.la_code,
        cohort.academic_year,
        results.key_stage,
        results.is_expected_standard,
        results.attainment_8,
        results.progress_8
    from cohort
    inner join {{ ref('int_pupil_results') }} as results
        on cohort.upn_key = results.upn_key
        and cohort.academic_year = results.academic_year
    where results.key_stage in ('KS2', 'KS4')
),

totals as (
    select
        la_code,
        academic_year,
        sum(case when key_stage = 'KS2' then 1 else 0 end) as ks2_pupils,
        sum(case when key_stage = 'KS2' and is_expected_standard then 1 else 0 end) as ks2_expected,
        sum(case when key_stage = 'KS4' then 1 else 0 end) as ks4_pupils,
        sum(case when key_stage = 'KS4' and is_expected_standard then 1 else 0 end) as ks4_grade_4,
        sum(case when key_stage = 'KS4' then coalesce(attainment_8, 0) else 0 end) as attainment_8_total,
        sum(case when key_stage = 'KS4' and attainment_8 is not null then 1 else 0 end) as attainment_8_pupils,
        sum(case when key_stage = 'KS4' then coalesce(progress_8, 0) else 0 end) as progress_8_total,
        sum(case when key_stage = 'KS4' and progress_8 is not null then 1 else 0 end) as progress_8_pupils
    from results
    group by la_code, academic_year
),

counted as (
    select
        frame.la_code,
        frame.period_id,
        coalesce(totals.ks2_pupils, 0) as ks2_pupils,
        coalesce(totals.ks2_expected, 0) as ks2_expected,
        coalesce(totals.ks4_pupils, 0) as ks4_pupils,
        coalesce(totals.ks4_grade_4, 0) as ks4_grade_4,
        coalesce(totals.attainment_8_total, 0) as attainment_8_total,
        coalesce(totals.attainment_8_pupils, 0) as attainment_8_pupils,
        coalesce(totals.progress_8_total, 0) as progress_8_total,
        coalesce(totals.progress_8_pupils, 0) as progress_8_pupils
    from frame
    left join totals
        on frame.la_code = totals.la_code
        and extract(year from frame.period_end) = totals.academic_year
)

{{ measure_row('P2_LAC_PROGRESS', 'pct_ks2_rwm', 'percent', 'ks2_expected', 'ks2_pupils') }}
union all
{{ measure_row('P2_LAC_PROGRESS', 'count_ks2_cohort', 'count', 'ks2_pupils') }}
union all
{{ measure_row('P2_LAC_PROGRESS', 'pct_ks4_eng_maths', 'percent', 'ks4_grade_4', 'ks4_pupils') }}
union all
{{ measure_row('P2_LAC_PROGRESS', 'count_ks4_cohort', 'count', 'ks4_pupils') }}
union all
{{ measure_row('P2_LAC_PROGRESS', 'mean_attainment8', 'mean', 'attainment_8_total', 'attainment_8_pupils') }}
union all
{{ measure_row('P2_LAC_PROGRESS', 'mean_progress8', 'mean', 'progress_8_total', 'progress_8_pupils') }}
