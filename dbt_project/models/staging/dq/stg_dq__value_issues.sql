-- Single values that failed conformance (blanked) or were kept and reported (retired codes).
select
    source,
    table_name,
    extract_id,
    extract_date,
    file_name,
    excel_row,
    column_name,
    rule,
    reason,
    action,
    logged_at
from {{ source('dq', 'value_issues') }}
