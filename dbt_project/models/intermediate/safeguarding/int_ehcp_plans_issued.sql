-- New EHC plans issued, with the 20-week clock (SEN2): weeks from the request for assessment to
-- the final plan's issue date (the assessment outcome date, or the named plan's start date when
-- the outcome date is missing); within 20 weeks means no more than 140 days. Plans where a
-- statutory exception applies are flagged: the measure leaves them out.
with requests as (
    select * from {{ ref('stg_mosaic__ehcp_requests') }}
),

assessments as (
    select * from {{ ref('stg_mosaic__ehcp_assessments') }}
),

named_plans as (
    select la_code, assessment_id, min(start_date) as start_date
    from {{ ref('stg_mosaic__ehcp_named_plans') }}
    group by la_code, assessment_id
),

issued as (
    select
        assessments.la_code,
        assessments.assessment_id,
        assessments.request_id,
        requests.request_date,
        coalesce(assessments.outcome_date, named_plans.start_date) as issue_date,
        assessments.has_exception
    from assessments
    inner join requests
        on assessments.la_code = requests.la_code
        and assessments.request_id = requests.request_id
    left join named_plans
        on assessments.la_code = named_plans.la_code
        and assessments.assessment_id = named_plans.assessment_id
    where assessments.outcome_code = 'Y'
)

select
    la_code,
    assessment_id,
    request_id,
    request_date,
    issue_date,
    has_exception,
    {{ dbt.datediff('request_date', 'issue_date', 'day') }} as days_from_request,
    ({{ dbt.datediff('request_date', 'issue_date', 'day') }} <= 140) as is_within_20_weeks,
    extract(year from issue_date) as calendar_year,
    {{ financial_year_of('issue_date') }} as financial_year,
    {{ financial_quarter_of('issue_date') }} as financial_quarter
from issued
where issue_date is not null
