"""What the Dagster UI shows about a table's data quality after ingest.

Metadata beside each raw asset: a markdown table of the most frequent reasons rows were held
back or values blanked in the latest extract. And the threshold of the non-blocking asset check
that warns when too large a share of a file was quarantined (a sign the export changed, not
just a few bad rows): OUTCOMES_QUARANTINE_WARN_PCT, default 1 per cent.
"""

from __future__ import annotations

import os

import duckdb

from pipelines.ingest.load import LoadResult

DEFAULT_WARN_PCT = 1.0
TOP_N = 8


def warn_threshold_pct() -> float:
    raw = os.environ.get("OUTCOMES_QUARANTINE_WARN_PCT")
    try:
        return float(raw) if raw else DEFAULT_WARN_PCT
    except ValueError:
        return DEFAULT_WARN_PCT


def quarantined_pct(result: LoadResult) -> float:
    return 100.0 * result.rows_quarantined / result.rows_in if result.rows_in else 0.0


def top_reasons(con: duckdb.DuckDBPyConnection, source: str, table: str, extract_id: str, limit: int = TOP_N) -> list[tuple]:
    """(what happened, rule, column, count, example reason), most frequent first."""
    return con.execute(
        """
        select what, rule, coalesce(nullif(column_name, ''), '(row)') as column_name, count(*) as n, min(reason) as example
        from (
            select 'quarantined' as what, rule, column_name, reason from dq.quarantine
            where source = ? and table_name = ? and extract_id = ?
            union all
            select action, rule, column_name, reason from dq.value_issues
            where source = ? and table_name = ? and extract_id = ?
        )
        group by what, rule, column_name
        order by n desc, what, rule, column_name
        limit ?
        """,
        [source, table, extract_id, source, table, extract_id, limit],
    ).fetchall()


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:120]


def top_reasons_markdown(con: duckdb.DuckDBPyConnection, source: str, table: str, extract_id: str) -> str:
    rows = top_reasons(con, source, table, extract_id)
    if not rows:
        return "No rows quarantined and no values blanked in this extract."
    lines = ["| what | rule | column | count | example reason |", "|---|---|---|---:|---|"]
    lines += [f"| {_cell(w)} | {_cell(r)} | {_cell(c)} | {n} | {_cell(e)} |" for w, r, c, n, e in rows]
    return "\n".join(lines)
