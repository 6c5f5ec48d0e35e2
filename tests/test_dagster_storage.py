"""The Dagster instance storage of .dagster/dagster.yaml: Dagster's SQLite files, with an event log
that keeps its connections (pipelines/operations/dagster_storage.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid

import dagster as dg
import pytest
from dagster._core.events.log import EventLogEntry
from sqlalchemy import text

from pipelines.operations.dagster_storage import MAX_CACHED_SHARDS, PooledSqliteEventLogStorage
from pipelines.settings import REPO_ROOT


@pytest.fixture
def instance(tmp_path, monkeypatch):
    shutil.copy(REPO_ROOT / ".dagster" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": 42})


def test_the_repository_config_uses_the_pooled_event_log_in_dagsters_folders(instance, tmp_path):
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    assert (tmp_path / "history" / "runs.db").exists()
    assert (tmp_path / "history" / "runs" / "index.db").exists()


def test_events_written_through_kept_connections_are_read_by_another_process(instance, tmp_path):
    result = dg.materialize([counted], instance=instance)
    assert result.success
    assert (tmp_path / "history" / "runs" / f"{result.run_id}.db").exists()  # the same shard files as Dagster's own storage
    # Another process (the webserver, say) opens the instance and sees the run and its asset.
    reader = (
        "import dagster as dg\n"
        f"with dg.DagsterInstance.from_config({str(tmp_path)!r}) as i:\n"
        f"    print(i.get_run_by_id({result.run_id!r}).status.value)\n"
        "    e = i.get_latest_materialization_event(dg.AssetKey('counted'))\n"
        "    print(e.asset_materialization.metadata['dagster/row_count'].value)\n"
    )
    out = subprocess.run([sys.executable, "-c", reader], capture_output=True, text=True, timeout=120, env={"DAGSTER_HOME": str(tmp_path), "PATH": ""})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["SUCCESS", "42"]


def test_connections_sync_normally_and_the_engines_kept_are_bounded(instance):
    storage = instance.event_log_storage
    with storage.index_connection() as conn:
        assert conn.execute(text("pragma synchronous")).scalar() == 1  # NORMAL (FULL is 2)
        assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
    for _ in range(MAX_CACHED_SHARDS + 3):
        with storage.run_connection(str(uuid.uuid4())) as conn:
            conn.execute(text("select 1"))
    assert len(storage._engines) == MAX_CACHED_SHARDS


def _log_line(run_id: str, text: str):
    return EventLogEntry(error_info=None, level=20, user_message=text, run_id=run_id, timestamp=time.time(), step_key=None, job_name="nightly", dagster_event=None)


def test_a_live_run_can_be_followed_by_watching_its_file(instance):
    """The webserver follows a running run through a watcher on the run's file: events stored over
    a kept connection must still show as a change to that file."""
    run_id = str(uuid.uuid4())
    storage = instance.event_log_storage
    storage.store_event(_log_line(run_id, "first"))  # the run's file exists before anyone watches
    seen: list[str] = []

    def follow(entry, _cursor) -> None:
        seen.append(entry.user_message)

    instance.watch_event_logs(run_id, None, follow)
    try:
        time.sleep(0.5)  # the observer thread starts
        for n in range(3):
            storage.store_event(_log_line(run_id, f"line {n}"))
            time.sleep(0.2)
        deadline = time.monotonic() + 10
        while len(seen) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        instance.end_watch_event_logs(run_id, follow)
    assert [m for m in seen if m.startswith("line")] == ["line 0", "line 1", "line 2"]


def test_the_index_tables_are_looked_up_once_and_a_missing_one_again(instance, monkeypatch):
    """Dagster asks whether the index's tables exist at every asset and check event, each time
    through a new SQLite engine; the pooled event log asks once per table. A table found missing is
    asked about again (a migration may add it), and a wipe asks again."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    storage = instance.event_log_storage
    asked: list[str] = []
    real = SqliteEventLogStorage.has_table
    monkeypatch.setattr(SqliteEventLogStorage, "has_table", lambda self, name: asked.append(name) or real(self, name))
    storage._tables_present.clear()
    for _ in range(3):
        assert dg.materialize([counted], instance=instance).success
    assert asked, "the runs asked nothing: the lookup this test watches has moved"
    assert len(asked) == len(set(asked)), sorted(asked)  # each existing table asked about once
    assert instance.get_latest_materialization_event(dg.AssetKey("counted")).asset_materialization.metadata["dagster/row_count"].value == 42

    assert storage.has_table("no_such_table") is False
    assert storage.has_table("no_such_table") is False
    assert asked.count("no_such_table") == 2
    asked.clear()
    storage.wipe()
    assert asked and all(real(storage, name) for name in storage._tables_present)
