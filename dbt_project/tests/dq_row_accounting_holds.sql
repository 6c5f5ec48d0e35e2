-- Nothing is dropped silently: for every file loaded, rows read = rows staged + rows quarantined,
-- and the quarantine log holds exactly the rows counted as quarantined.
with logged as (
    select source, table_name, extract_id, count(*) as quarantine_rows
    from {{ ref('stg_dq__quarantine') }}
    group by source, table_name, extract_id
)

select files.source, files.table_name, files.extract_id, files.rows_in, files.rows_staged,
       files.rows_quarantined, coalesce(logged.quarantine_rows, 0) as quarantine_rows
from {{ ref('stg_dq__ingest_log') }} as files
left join logged
    on logged.source = files.source
   and logged.table_name = files.table_name
   and logged.extract_id = files.extract_id
where files.rows_in <> files.rows_staged + files.rows_quarantined
   or files.rows_quarantined <> coalesce(logged.quarantine_rows, 0)
