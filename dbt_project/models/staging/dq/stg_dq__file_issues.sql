-- Problems with whole files: unknown or missing columns, encoding, header position, tables
-- never delivered.
select
    source,
    table_name,
    extract_id,
    extract_date,
    file_name,
    issue,
    detail,
    logged_at
from {{ source('dq', 'file_issues') }}
