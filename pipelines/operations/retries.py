"""Retry transient failures with exponential backoff; never retry data errors.

The transient failure this warehouse meets is another process holding the build database: DuckDB
lets one process write a file at a time, so a `make run` started by hand during a queued run, or
someone who opened warehouse.duckdb in a client, makes the next step fail to open it. That clears
when the other process finishes, so the step waits and tries again (5, 10, 20, 40, 80 s by
default). Data errors (a failed contract, a failed check) raise `dg.Failure(allow_retries=False)`
and are never retried: running them again cannot change the answer.

Whole-run retries for crashed run processes are configured in .dagster/dagster.yaml.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb

BASE_DELAY_ENV = "OUTCOMES_LOCK_RETRY_SECONDS"
DEFAULT_BASE_DELAY_SECONDS = 5.0
MAX_RETRIES = 5


def is_lock_conflict(exc: BaseException) -> bool:
    """DuckDB's error when another process holds the file: 'Could not set lock on file ...'."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def backoff_seconds(retry_number: int) -> float:
    base = float(os.environ.get(BASE_DELAY_ENV, DEFAULT_BASE_DELAY_SECONDS))
    return base * 2**retry_number


def retry_for_lock(context: dg.OpExecutionContext, exc: BaseException) -> dg.RetryRequested:
    """The RetryRequested to raise for a lock conflict (the caller raises it `from exc`)."""
    wait = backoff_seconds(context.retry_number)
    context.log.warning(f"The build database is held by another process ({exc}); trying again in {wait:.0f} s (attempt {context.retry_number + 1} of {MAX_RETRIES}).")
    return dg.RetryRequested(max_retries=MAX_RETRIES, seconds_to_wait=wait)


def wait_for_build_database(context: dg.OpExecutionContext, path: Path) -> None:
    """Before a step hands the database to a subprocess (dbt): if another process holds it, ask
    Dagster to retry the step later rather than fail halfway through a dbt build."""
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as exc:
        if is_lock_conflict(exc):
            raise retry_for_lock(context, exc) from exc
        raise
