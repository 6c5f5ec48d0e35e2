-- P6_CSC_ASSESSMENT_MH_FACTOR: social work assessments completed in the period with the CIN census
-- factor for concerns about the child's mental health (4A), as a count and a share of all
-- assessments completed; companion: concerns about a parent's or carer's mental health (4B).
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
        sum(case when assessments.has_child_mental_health then 1 else 0 end) as child_mental_health,
        sum(case when assessments.has_parent_mental_health then 1 else 0 end) as parent_mental_health
    from frame
    left join assessments
        on frame.la_code = assessments.la_code
        and assessments.authorised_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code
)

{{ measure_row('P6_CSC_ASSESSMENT_MH_FACTOR', 'count', 'count', 'child_mental_health') }}
union all
{{ measure_row('P6_CSC_ASSESSMENT_MH_FACTOR', 'percent', 'percent', 'child_mental_health', 'completed') }}
union all
{{ measure_row('P6_CSC_ASSESSMENT_MH_FACTOR', 'count_parent', 'count', 'parent_mental_health') }}
union all
{{ measure_row('P6_CSC_ASSESSMENT_MH_FACTOR', 'percent_parent', 'percent', 'parent_mental_health', 'completed') }}
