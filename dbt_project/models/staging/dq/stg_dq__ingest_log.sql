-- Files loaded, one row per file and extract. Superseded loads (a changed re-delivery of the
-- same extract) are left out: the later load replaced their rows.
select
    source,
    table_name,
    extract_id,
    extract_date,
    file_name,
    sha256,
    encoding,
    header_row,
    contract_year,
    rows_in,
    rows_staged,
    rows_quarantined,
    values_blanked,
    synthetic,
    loaded_at
from {{ source('dq', 'ingest_log') }}
where status = 'loaded'
