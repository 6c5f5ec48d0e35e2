"""Time each SQL statement of ingesting one source (or one table) of a cached scale, alone.

    python -m bench.ingest_statements <scale> <source> [table]

A diagnostic beside the benchmark (docs/benchmarks.md, items 30 to 32): it loads the files of the
cached landing zone (generated first if missing, as the benchmark does) into a fresh data
folder, `bench/cache/ingest-statements/scale-<scale>`, in this process, without Dagster, and
prints the wall time of the slowest statements. The data folder is deleted at the start of the
next call, not at the end, so the loaded tables can be queried.
"""

from __future__ import annotations

import collections
import os
import re
import sys
import time

import duckdb

from bench.datasets import CACHE_DIR, dataset
from bench.scenarios import BENCH_KEY, ScaleRun
from pipelines.contracts.model import load_contract
from pipelines.ingest.run import ingest_source
from pipelines.settings import Settings


class TimedConnection:
    """A DuckDB connection that adds up the wall time of each statement, by its first words."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self.seconds: collections.Counter[str] = collections.Counter()

    def execute(self, sql: str, *args, **kwargs):
        started = time.perf_counter()
        result = self._con.execute(sql, *args, **kwargs)
        self.seconds[re.sub(r"\s+", " ", sql.strip())[:72]] += time.perf_counter() - started
        return result

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def main(scale: str, source: str, table: str | None = None) -> None:
    os.environ.setdefault("OUTCOMES_PSEUDONYMISATION_KEY", BENCH_KEY)
    run = ScaleRun(dataset(int(scale)), CACHE_DIR / "ingest-statements")
    run.prepare()  # a fresh data folder, the cached landing zone linked in
    settings = Settings(data_dir=run.data_dir)
    settings.ensure_dirs()
    contract = load_contract()
    tables = [t for t in contract.for_source(source) if table is None or t.table == table]
    con = TimedConnection(duckdb.connect(str(settings.warehouse_path), config=settings.duckdb_config()))
    started, cpu = time.perf_counter(), time.process_time()
    outcome = ingest_source(con, settings, contract, source, tables)
    print(f"{time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu:.1f} s CPU; failures: {outcome.failures or 'none'}")
    for results in outcome.results.values():
        for result in results:
            print(f"  {result.table:32s} {result.seconds:8.1f} s  {result.rows_in:>12,} rows")
    for statement, seconds in con.seconds.most_common(12):
        print(f"{seconds:8.2f}  {statement}")
    con.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
