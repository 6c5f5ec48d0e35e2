"""Convert the pseudonyms of a build database made by an older version to the UUIDs ingest
writes now (docs/benchmarks.md, items 23 and 24). Ingest runs it before it loads any file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contracts.model import TableContract
from pipelines.ingest.conform import quote_ident, sql_literal
from pipelines.ingest.errors import IngestError
from pipelines.privacy.pseudonymise import HEX_PSEUDONYM, PSEUDONYM_BYTES, PSEUDONYM_SQL_TYPE, sql_from_hex_pseudonym

# Pseudonyms as older warehouses stored them: for each type, the test a value must pass to be a
# pseudonym rather than an id in the clear, and the SQL that gives its UUID (the same 96 bits).
# - Text: 24 lower-case hex characters (before item 23 of docs/benchmarks.md).
# - DECIMAL(29,0): the bits as a number, for an hour on 23 November 2026 (commit 325f6ac). It is
#   below 2^96 and, almost surely, at least 10^15: a pseudonym falls below that once in 10^13,
#   an id in the clear (ten digits, say) always does.
# - BLOB: the 12 bytes (17916f2 until item 24).
_OLDER_PSEUDONYMS = {
    "VARCHAR": (
        lambda column: f"regexp_full_match({column}, {sql_literal(HEX_PSEUDONYM)})",
        lambda column: sql_from_hex_pseudonym(column),
    ),
    "DECIMAL(29,0)": (
        lambda column: f"({column} >= 1000000000000000 and {column} < {2 ** (8 * PSEUDONYM_BYTES)})",
        lambda column: sql_from_hex_pseudonym(f"lpad(hex(cast({column} as hugeint)), {2 * PSEUDONYM_BYTES}, '0')"),
    ),
    "BLOB": (
        lambda column: f"octet_length({column}) = {PSEUDONYM_BYTES}",
        lambda column: sql_from_hex_pseudonym(f"hex({column})"),
    ),
}


def upgrade_pseudonym_columns(con: duckdb.DuckDBPyConnection, tables: list[TableContract], database: Path | str = "the build database") -> list[str]:
    """Convert the pseudonyms of raw tables built when pseudonyms were stored otherwise (hex
    text, a number or 12 bytes) to the UUID ingest now writes for the same id, so old and new
    extracts keep linking. Every raw table is converted, in one transaction, before any file
    loads: the models join pseudonyms across tables, and a table left behind would not join.

    Fails closed: every value of a text column is first checked to be a pseudonym's hex, of a
    number column to be 96 bits, and of a binary column to be 12 bytes. If one is not (a column
    declared a person identifier after its data loaded holds ids in the clear), nothing is
    converted, and the error names the table and column, never a value. Returns "table.column"
    for each column converted (none once a warehouse is converted).
    """
    types = {(t, c): d for t, c, d in con.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'raw'"
    ).fetchall()}
    older = [
        (table.raw_table, col.name, types[(table.raw_table, col.name)]) for table in tables for col in table.columns
        if col.privacy == "person_id" and types.get((table.raw_table, col.name)) in _OLDER_PSEUDONYMS
    ]
    if not older:
        return []
    con.execute("begin transaction")
    try:
        for raw_table, column, stored_as in older:
            table_sql, name = f"raw.{quote_ident(raw_table)}", quote_ident(column)
            is_pseudonym, to_uuid = _OLDER_PSEUDONYMS[stored_as]
            not_pseudonyms = con.execute(
                f"select count(*) from {table_sql} where {name} is not null and not {is_pseudonym(name)}"
            ).fetchall()[0][0]
            if not_pseudonyms:
                raise IngestError(
                    database,
                    f"raw.{raw_table}.{column} is a person identifier, but {not_pseudonyms} of its values are not pseudonyms "
                    "(they were loaded before the column was declared one, so they may be ids in the clear). Nothing was converted.",
                    "Rebuild the build database: move it aside and run the nightly job, which ingests every extract in the "
                    "landing folder again with the column pseudonymised (copy back from the archive any extract the landing "
                    "folder no longer holds). Then delete the old file: it holds the ids in the clear.",
                    column=column,
                )
            con.execute(f"alter table {table_sql} alter column {name} set data type {PSEUDONYM_SQL_TYPE} using {to_uuid(name)}")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return [f"{raw_table}.{column}" for raw_table, column, _ in older]
