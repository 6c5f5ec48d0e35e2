"""Ingest every new extract of one source system into the build database."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import duckdb

from pipelines.contracts.model import Contract, TableContract
from pipelines.ingest.errors import IngestError
from pipelines.ingest.extracts import Extract, list_extracts
from pipelines.ingest.load import LoadResult, ensure_dq_schema, ensure_raw_table, ingest_table_file
from pipelines.ingest.pseudonym_upgrade import upgrade_pseudonym_columns
from pipelines.ingest.work_area import remove_leftovers
from pipelines.privacy.pseudonymise import forget_pseudonyms, install_sql_macro, load_key
from pipelines.settings import Settings


@dataclass
class SourceIngest:
    source: str
    results: dict[str, list[LoadResult]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    extracts: list[Extract] = field(default_factory=list)

    def latest(self, table: str) -> LoadResult | None:
        loaded = self.results.get(table, [])
        return loaded[-1] if loaded else None


def ingest_source(con: duckdb.DuckDBPyConnection, settings: Settings, contract: Contract, source: str, tables: list[TableContract] | None = None) -> SourceIngest:
    """Load each extract of `source` in date order; unchanged files are skipped.

    A file that cannot be read is recorded as a failure for its table (with the reason); the
    other tables and extracts still load. The caller decides how to surface failures.
    """
    key = load_key()  # fail closed: no key, no ingest
    install_sql_macro(con, key)
    ensure_dq_schema(con)
    tables = tables or list(contract.for_source(source))
    upgrade_pseudonym_columns(con, list(contract.tables), settings.warehouse_path)
    remove_leftovers(settings.work_dir)
    outcome = SourceIngest(source=source)
    try:
        _load_extracts(con, settings, contract, tables, outcome)
    finally:
        forget_pseudonyms(con)  # identifiers as delivered: not kept past the source's ingest
    for table in tables:
        if ensure_raw_table(con, table):
            con.execute(
                "insert into dq.file_issues values (?, null, ?, ?, null, 'table_not_delivered', ?, current_timestamp)",
                [outcome.extracts[-1].extract_id if outcome.extracts else None, table.source, table.table,
                 f"no file matching {table.file_pattern!r} in any {table.source} extract; the table is empty"],
            )
    return outcome


def _load_extracts(con: duckdb.DuckDBPyConnection, settings: Settings, contract: Contract, tables: list[TableContract], outcome: SourceIngest) -> None:
    """Load every file of every extract of the source, oldest extract first, into `outcome`."""
    outcome.extracts = list_extracts(settings.raw_dir, outcome.source)
    default_la = os.environ.get("OUTCOMES_LA_CODE")
    for extract in outcome.extracts:
        for table in tables:
            try:
                path = extract.file_for(table)
            except IngestError as exc:
                outcome.failures.setdefault(table.table, []).append(str(exc))
                continue
            if path is None:
                continue
            try:
                result = ingest_table_file(
                    con, contract, table, extract, path,
                    archive_dir=settings.archive_dir, work_dir=settings.work_dir, default_la_code=default_la,
                )
                outcome.results.setdefault(table.table, []).append(result)
            except IngestError as exc:
                outcome.failures.setdefault(table.table, []).append(str(exc))
