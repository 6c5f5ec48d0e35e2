"""Time each SQL statement of ingesting one source (or one table) of a cached scale, alone.

    python -m bench.ingest_statements <scale> <source> [table] [--profile DIR]

A diagnostic beside the benchmark (docs/benchmarks.md, items 30 to 32): it loads the files of the
cached landing zone (generated first if missing, as the benchmark does) into a fresh data
folder, `bench/cache/ingest-statements/scale-<scale>`, in this process, without Dagster, and
prints the wall time of the slowest statements. The data folder is deleted at the start of the
next call, not at the end, so the loaded tables can be queried.

With `--profile DIR`, each statement that takes a second or more leaves DuckDB's JSON profile
in DIR (`bench/statement_profile.py`), and its slowest operators are printed after the times.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import re
import time
from pathlib import Path

import duckdb

from bench.datasets import CACHE_DIR, dataset
from bench.scenarios import BENCH_KEY, ScaleRun
from bench.statement_profile import describe, profile_statement
from pipelines.contracts.model import load_contract
from pipelines.ingest.run import ingest_source
from pipelines.settings import Settings


class TimedConnection:
    """A DuckDB connection that adds up the wall time of each statement, by its first words.

    Its cursors (ingest loads the small tables two at a time, each on a cursor) add to the same
    figures; statements that overlap are each counted in full.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, profile_dir: Path | None = None, *, parent: TimedConnection | None = None) -> None:
        self._con = con
        self._profile_dir = profile_dir
        self.seconds: collections.Counter[str] = parent.seconds if parent else collections.Counter()
        self._numbers = parent._numbers if parent else itertools.count(1)

    def execute(self, sql: str, *args, **kwargs):
        started = time.perf_counter()
        if self._profile_dir is None:
            result = self._con.execute(sql, *args, **kwargs)
        else:
            output = self._profile_dir / f"{next(self._numbers):04d}.json"
            result = profile_statement(self._con, sql, output, 1.0, *args, **kwargs)
        self.seconds[re.sub(r"\s+", " ", sql.strip())[:72]] += time.perf_counter() - started
        return result

    def cursor(self) -> TimedConnection:
        return TimedConnection(self._con.cursor(), self._profile_dir, parent=self)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def main(scale: str, source: str, table: str | None = None, profile_dir: Path | None = None) -> None:
    os.environ.setdefault("OUTCOMES_PSEUDONYMISATION_KEY", BENCH_KEY)
    run = ScaleRun(dataset(int(scale)), CACHE_DIR / "ingest-statements")
    run.prepare()  # a fresh data folder, the cached landing zone linked in
    settings = Settings(data_dir=run.data_dir)
    settings.ensure_dirs()
    contract = load_contract()
    tables = [t for t in contract.for_source(source) if table is None or t.table == table]
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
        for old in profile_dir.glob("*.json"):
            old.unlink()
    con = TimedConnection(duckdb.connect(str(settings.warehouse_path), config=settings.duckdb_config()), profile_dir)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = ingest_source(con, settings, contract, source, tables)
    print(f"{time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu:.1f} s CPU; failures: {outcome.failures or 'none'}")
    for results in outcome.results.values():
        for result in results:
            print(f"  {result.table:32s} {result.seconds:8.1f} s  {result.rows_in:>12,} rows")
    for statement, seconds in con.seconds.most_common(12):
        print(f"{seconds:8.2f}  {statement}")
    con.close()
    if profile_dir is not None:
        for path in sorted(profile_dir.glob("*.json")):
            print(describe(path))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale")
    parser.add_argument("source")
    parser.add_argument("table", nargs="?")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="keep DuckDB's profile of each statement of a second or more here")
    args = parser.parse_args()
    main(args.scale, args.source, args.table, args.profile)
