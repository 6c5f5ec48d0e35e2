"""Dagster's SQLite storage, with an event log that keeps its connections.

Dagster's SQLite event log creates an SQLAlchemy engine, opens a connection, commits with a full
sync and disposes of the engine for every event it stores; an asset event does it twice (the
run's own file and the cross-run index). A nightly run stores about a thousand events (three per
dbt model alone), and at 4 to 11 ms each that was 5 to 10 s of a 77 s run at bi-borough volume
(docs/benchmarks.md, item 25).

`OutcomesSqliteStorage` is Dagster's `DagsterSqliteStorage` (same folders, same files, same
schema, so an instance's history carries over either way) except that its event log
- keeps one engine per database file, most recently used first, and disposes of the engines
  beyond `MAX_CACHED_SHARDS` (the webserver reads many runs' files);
- sets `synchronous=NORMAL` on connections to files in WAL mode (Dagster creates them so),
  where NORMAL cannot corrupt the database; a power cut may lose the last events before it (in
  the run's file or in the cross-run index), and run monitoring then marks the run failed, as it
  does for any run that stopped uncleanly;
- remembers which tables the cross-run index has: Dagster asks SQLite through a new engine, at
  every asset and check event (about 0.7 s of a bi-borough run), whether tables exist that,
  once made, are never dropped;
- touches a run's file after storing its events. The webserver follows a live run by watching
  that file for changes; with Dagster's connection per event, closing the last connection
  checkpointed the WAL into the file after every event, and a kept connection does not.

Engines are not shared across a fork: a process that finds engines made by its parent leaves
them alone (closing another process's SQLite connections is unsafe) and makes its own.
Configured in .dagster/dagster.yaml (`storage: custom:`); every process that opens the instance
(webserver, daemon, `dagster` commands) must be able to import this package, as `make ui` does.
Wiping the instance (`dagster instance wipe`) is for when the webserver and daemon are stopped.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS, SqliteEventLogStorage
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.schedules import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory, _runs_directory, _schedule_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

MAX_CACHED_SHARDS = 8


def _relaxed_sync(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # Outside WAL mode (a file made by something else) NORMAL could corrupt on power loss.
        if cursor.execute("pragma journal_mode").fetchone()[0].lower() == "wal":
            cursor.execute("pragma synchronous = normal")
    finally:
        cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose engines outlive a single event (see the module docstring)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # Set before the parent's __init__, which already connects (its index migrations).
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        self._parents_engines: list[OrderedDict[str, Engine]] = []
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():
            # A forked child: the parent's connections are not ours to use or to close. Keep
            # them referenced, so that garbage collection does not close them either.
            self._parents_engines.append(self._engines)
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        event.listen(engine, "connect", _relaxed_sync)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > MAX_CACHED_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        if table_name in self._tables_present:
            return True
        present = super().has_table(table_name)
        if present:  # a table not there yet is asked about again: a migration may add it
            self._tables_present.add(table_name)
        return present

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                with conn.begin():
                    yield conn

    def store_event(self, event) -> None:
        super().store_event(event)
        self._touch(event.run_id)

    def _touch(self, run_id: str | None) -> None:
        """Mark a run's file changed, for the webserver's watcher (see the module docstring)."""
        if run_id:
            try:
                os.utime(self.path_for_shard(run_id))
            except FileNotFoundError:
                pass

    def _dispose_engines(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()

    def wipe(self) -> None:
        # Wiping deletes the run files: let go of them first.
        with self._db_lock:
            self._dispose_engines()
            self._tables_present.clear()
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._dispose_engines()
        super().dispose()


class OutcomesSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage under `base_dir`, with the pooled event log."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # DagsterSqliteStorage.__init__ would build (and migrate) a second event log to be thrown away.
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> OutcomesSqliteStorage:
        os.makedirs(config_value["base_dir"], exist_ok=True)
        return cls(config_value["base_dir"], inst_data=inst_data)
