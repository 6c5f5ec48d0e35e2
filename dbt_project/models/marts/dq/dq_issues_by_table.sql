-- Data-quality issues as data: one row per source, table, extract, kind of issue, rule and
-- column, with the count and its share of the rows delivered. Analysts trend it over extract
-- dates; the Dagster UI shows the latest extract's top reasons beside each raw table.
with quarantined as (
    select source, table_name, extract_id, extract_date,
           'quarantined_row' as issue_kind, rule, column_name,
           count(*) as issue_count, min(reason) as example_reason
    from {{ ref('stg_dq__quarantine') }}
    group by source, table_name, extract_id, extract_date, rule, column_name
),

values_flagged as (
    select source, table_name, extract_id, extract_date,
           case when action = 'blanked' then 'blanked_value' else 'reported_value' end as issue_kind,
           rule, column_name,
           count(*) as issue_count, min(reason) as example_reason
    from {{ ref('stg_dq__value_issues') }}
    group by source, table_name, extract_id, extract_date, action, rule, column_name
),

files_flagged as (
    select source, table_name, extract_id, extract_date,
           'file_issue' as issue_kind, issue as rule, cast(null as varchar) as column_name,
           count(*) as issue_count, min(detail) as example_reason
    from {{ ref('stg_dq__file_issues') }}
    group by source, table_name, extract_id, extract_date, issue
),

issues as (
    select * from quarantined
    union all
    select * from values_flagged
    union all
    select * from files_flagged
),

delivered as (
    select source, table_name, extract_id, sum(rows_in) as rows_in
    from {{ ref('stg_dq__ingest_log') }}
    group by source, table_name, extract_id
)

select
    issues.source,
    issues.table_name,
    issues.extract_id,
    issues.extract_date,
    issues.issue_kind,
    issues.rule,
    issues.column_name,
    issues.issue_count,
    delivered.rows_in,
    round(100.0 * {{ safe_divide('issues.issue_count', 'delivered.rows_in') }}, 3) as pct_of_rows,
    issues.example_reason
from issues
left join delivered
    on delivered.source = issues.source
   and delivered.table_name = issues.table_name
   and delivered.extract_id = issues.extract_id
