-- Rows held back at ingest. One row per rejected row: the first mandatory rule it failed.
select
    source,
    table_name,
    extract_id,
    extract_date,
    file_name,
    excel_row,
    nullif(column_name, '') as column_name,
    rule,
    reason,
    logged_at
from {{ source('dq', 'quarantine') }}
