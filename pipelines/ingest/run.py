"""Ingest every new extract of one source system into the build database."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contracts.model import Contract, TableContract
from pipelines.ingest.errors import IngestError
from pipelines.ingest.extracts import Extract, list_extracts
from pipelines.ingest.load import LoadResult, ensure_dq_schema, ensure_raw_table, ingest_table_file
from pipelines.ingest.pseudonym_upgrade import upgrade_pseudonym_columns
from pipelines.ingest.work_area import WORK_BYTES_PER_FILE_BYTE, memory_limit_bytes, remove_leftovers
from pipelines.privacy.pseudonymise import forget_pseudonyms, install_sql_macro, load_key
from pipelines.settings import Settings

# Tables whose files are small load two at a time, each on a connection of its own. A small
# file's load is mostly DuckDB binding and planning its conform statement (0.1 to 0.5 s whatever
# its rows), which runs on one core; two at once use the machine's second (docs/benchmarks.md,
# item 41). A file is small when its work, two at once, takes at most half the memory limit.
SIDE_BY_SIDE = 2
SMALL_FILE_SHARE_OF_MEMORY = 1 / (2 * SIDE_BY_SIDE)


@dataclass
class SourceIngest:
    source: str
    results: dict[str, list[LoadResult]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    extracts: list[Extract] = field(default_factory=list)

    def latest(self, table: str) -> LoadResult | None:
        loaded = self.results.get(table, [])
        return loaded[-1] if loaded else None


@dataclass
class _TableFiles:
    """One table's files, oldest extract first: always loaded in that order, on one connection."""

    table: TableContract
    # Each extract's file, or why it could not be told apart from another (IngestError).
    files: list[tuple[Extract, Path | IngestError]] = field(default_factory=list)

    def bytes_largest(self) -> int:
        return max((path.stat().st_size for _, path in self.files if isinstance(path, Path)), default=0)


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
        _load_extracts(con, key, settings, contract, tables, outcome)
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


def _load_extracts(con: duckdb.DuckDBPyConnection, key: bytes, settings: Settings, contract: Contract, tables: list[TableContract], outcome: SourceIngest) -> None:
    """Load every file of every extract of the source into `outcome`: each table's files oldest
    extract first; the large tables one at a time, then the small ones two at a time."""
    outcome.extracts = list_extracts(settings.raw_dir, outcome.source)
    default_la = os.environ.get("OUTCOMES_LA_CODE")
    work = [_TableFiles(table) for table in tables]
    for extract in outcome.extracts:
        for item in work:
            try:
                path = extract.file_for(item.table)
            except IngestError as exc:
                path = exc
            if path is not None:
                item.files.append((extract, path))

    def load(connection: duckdb.DuckDBPyConnection, item: _TableFiles) -> tuple[list[LoadResult], list[str]]:
        results, failures = [], []
        for extract, path in item.files:
            if isinstance(path, IngestError):
                failures.append(str(path))
                continue
            try:
                results.append(ingest_table_file(
                    connection, contract, item.table, extract, path,
                    archive_dir=settings.archive_dir, work_dir=settings.work_dir, default_la_code=default_la,
                ))
            except IngestError as exc:
                failures.append(str(exc))
        return results, failures

    limit = memory_limit_bytes(con)  # None when it cannot be read: then one at a time
    can_pair = limit is not None and len([i for i in work if i.files]) > 1
    done: dict[str, tuple[list[LoadResult], list[str]]] = {}
    for item in work:  # the large ones first, alone, on this connection
        if not (can_pair and item.files and item.bytes_largest() * WORK_BYTES_PER_FILE_BYTE <= limit * SMALL_FILE_SHARE_OF_MEMORY):
            done[item.table.table] = load(con, item)
    side_by_side = [item for item in work if item.table.table not in done]
    if side_by_side:
        done.update(_load_side_by_side(con, key, side_by_side, load))
    for item in work:  # recorded in the contract's order, whatever order they finished in
        results, failures = done[item.table.table]
        if results:
            outcome.results[item.table.table] = results
        if failures:
            outcome.failures[item.table.table] = failures


def _load_side_by_side(
    con: duckdb.DuckDBPyConnection, key: bytes, items: list[_TableFiles],
    load: Callable[[duckdb.DuckDBPyConnection, _TableFiles], tuple[list[LoadResult], list[str]]],
) -> dict[str, tuple[list[LoadResult], list[str]]]:
    """`load` each table's files on one of SIDE_BY_SIDE connections to the same database.

    Each connection has its own temporary objects (the pseudonymisation macro, the memo of
    pseudonyms, the work tables) and its own transactions; the tables they write differ, and
    what they write to the shared `dq` tables are rows of their own table. If the step is
    interrupted, the running statements are interrupted too, and each file's load rolls back.
    """
    local = threading.local()
    connections: list[duckdb.DuckDBPyConnection] = []
    lock = threading.Lock()

    def run(item: _TableFiles):
        if not hasattr(local, "con"):
            local.con = con.cursor()
            install_sql_macro(local.con, key)
            with lock:
                connections.append(local.con)
        return load(local.con, item)

    futures: dict[str, Future] = {}
    try:
        with ThreadPoolExecutor(max_workers=SIDE_BY_SIDE, thread_name_prefix="ingest") as pool:
            try:
                futures = {item.table.table: pool.submit(run, item) for item in items}
                return {name: future.result() for name, future in futures.items()}
            except BaseException:
                for future in futures.values():
                    future.cancel()
                for connection in connections:
                    connection.interrupt()
                raise
    finally:
        for connection in connections:
            forget_pseudonyms(connection)
            connection.close()
