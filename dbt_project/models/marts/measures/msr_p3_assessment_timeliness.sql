-- P3_ASSESSMENT_45WD: social work assessments completed (authorised) in the period, and the share
-- completed within 45 working days of the referral (Working Together: "from the point of
-- referral"), weekends and England and Wales bank holidays excluded. The same share counted from
-- the assessment start date is held as `percent_from_start`: the CIN census collects both dates
-- and local reports differ in which they use.
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

assessments as (
    select * from {{ ref('int_assessments') }}
    where authorised_date is not null
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(assessments.assessment_id) as completed,
        count(assessments.working_days_from_referral) as completed_with_referral_date,
        sum(case when assessments.working_days_from_referral <= 45 then 1 else 0 end) as within_45_from_referral,
        count(assessments.working_days_from_start) as completed_with_start_date,
        sum(case when assessments.working_days_from_start <= 45 then 1 else 0 end) as within_45_from_start
    from frame
    left join assessments
        on frame.la_code = assessments.la_code
        and assessments.authorised_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_ASSESSMENT_45WD', 'count', 'count', 'completed') }}
union all
{{ measure_row('P3_ASSESSMENT_45WD', 'percent', 'percent', 'within_45_from_referral', 'completed_with_referral_date') }}
union all
{{ measure_row('P3_ASSESSMENT_45WD', 'percent_from_start', 'percent', 'within_45_from_start', 'completed_with_start_date') }}
