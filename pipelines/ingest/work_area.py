"""Where one file's ingest work tables live: in memory, or in a compressed scratch database.

While a file loads, ingest holds its text as read (`landed`) and reads it again to write the
conformed rows into the raw table. A temporary table is the fastest home for the text while it
fits in DuckDB's memory limit. Past that limit DuckDB spills temporary tables to its temp folder
*uncompressed*: at national volume the 8 GB pupil census became 22 GB of spill files, written
and read back, and its ingest took a third longer than its size predicts (docs/benchmarks.md,
item 30).

A table in an attached database file is compressed as it is written: the same census text took
1.3 GB, and a pass over it took half the CPU of a pass over the spilled temporary table. So a
file too big for memory is worked on in a scratch database in the work folder. The scratch file
holds personal data, like the spill files, and is deleted when the file has loaded or failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.ingest.conform import sql_literal

SCRATCH_CATALOG = "ingest_work"
# The landed text takes about twice the file's bytes in memory (the census at scale 10: 545 MB
# of CSV, 1,048 MB of text); the rest of the margin is for the insert's own buffers. A file
# whose work would take more than the memory limit goes to the scratch database.
WORK_BYTES_PER_FILE_BYTE = 4
_UNITS = {"": 1, "B": 1, "BYTES": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15, "EB": 10**18,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40, "PIB": 2**50, "EIB": 2**60}


@dataclass(frozen=True)
class WorkArea:
    """How SQL names a work table: `create {kind}table {prefix}landed_x`."""

    prefix: str  # '' (the connection's temporary catalog) or 'ingest_work.'
    kind: str  # 'temp ' or ''


IN_MEMORY = WorkArea(prefix="", kind="temp ")
SCRATCH = WorkArea(prefix=f"{SCRATCH_CATALOG}.", kind="")


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int | None:
    """DuckDB's memory limit in bytes (it reports it as text: '3.7 GiB'; '16383.9 PiB' when
    unlimited), or None when the text cannot be read."""
    text = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(text))
    if not match or match.group(2).upper() not in _UNITS:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def needs_scratch(con: duckdb.DuckDBPyConnection, file_bytes: int) -> bool:
    # A limit that cannot be read fails no file: the work goes where it always went, in memory.
    limit = memory_limit_bytes(con)
    return limit is not None and file_bytes * WORK_BYTES_PER_FILE_BYTE > limit


def scratch_folder(work_dir: Path) -> Path:
    return work_dir / "ingest_scratch"


def remove_leftovers(work_dir: Path) -> None:
    """Delete scratch databases a killed run left behind (they hold personal data).

    Called before a source's ingest, which holds the build database's only write lock, so no
    other ingest can be using them.
    """
    folder = scratch_folder(work_dir)
    if folder.is_dir():
        for path in folder.glob("*.duckdb*"):
            path.unlink(missing_ok=True)


@contextmanager
def work_area(con: duckdb.DuckDBPyConnection, work_dir: Path, tag: str, file_bytes: int) -> Iterator[WorkArea]:
    """The work area for one file: in memory when it fits, else a scratch database deleted after."""
    if not needs_scratch(con, file_bytes):
        yield IN_MEMORY
        return
    scratch = scratch_folder(work_dir) / f"{tag}.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    _remove(scratch)  # what a crashed run left: never reused
    con.execute(f"detach database if exists {SCRATCH_CATALOG}")
    con.execute(f"attach {sql_literal(str(scratch))} as {SCRATCH_CATALOG}")
    try:
        yield SCRATCH
    except BaseException:  # including Dagster's interruption: the files go, and it is what is raised
        _detach(con, quietly=True)
        _remove(scratch)
        raise
    try:
        _detach(con)
    finally:
        _remove(scratch)


def _detach(con: duckdb.DuckDBPyConnection, *, quietly: bool = False) -> None:
    """Detach the scratch database; a transaction left open (or aborted) blocks that, so it is
    rolled back first. `quietly` when another error is on its way out: that one is reported."""
    try:
        con.execute(f"detach database if exists {SCRATCH_CATALOG}")
    except duckdb.Error:
        try:
            con.execute("rollback")
            con.execute(f"detach database if exists {SCRATCH_CATALOG}")
        except duckdb.Error:
            if not quietly:
                raise


def _remove(database: Path) -> None:
    for path in (database, database.with_name(database.name + ".wal")):
        path.unlink(missing_ok=True)
