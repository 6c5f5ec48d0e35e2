-- P4_EHCP_20WK (SEN2): new EHC plans issued in the period, and the share issued within 20 weeks
-- (140 days) of the request for assessment, plans where a statutory exception applies left out of
-- both; their number is `count_exceptions`. SEN2 reports calendar years; local reports use
-- quarters (and financial years).
with frame as (
    {{ area_periods(['calendar_year', 'quarter', 'financial_year']) }}
),

plans as (
    select * from {{ ref('int_ehcp_plans_issued') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        sum(case when plans.assessment_id is not null and not plans.has_exception then 1 else 0 end) as plans_issued,
        sum(case when plans.assessment_id is not null and not plans.has_exception and plans.is_within_20_weeks then 1 else 0 end) as within_20_weeks,
        sum(case when plans.has_exception then 1 else 0 end) as exceptions
    from frame
    left join plans
        on frame.la_code = plans.la_code
        and plans.issue_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code
)

{{ measure_row('P4_EHCP_20WK', 'percent', 'percent', 'within_20_weeks', 'plans_issued') }}
union all
{{ measure_row('P4_EHCP_20WK', 'count_issued', 'count', 'plans_issued') }}
union all
{{ measure_row('P4_EHCP_20WK', 'count_within_20_weeks', 'count', 'within_20_weeks') }}
union all
{{ measure_row('P4_EHCP_20WK', 'count_exceptions', 'count', 'exceptions') }}
