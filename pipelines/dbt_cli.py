"""`outcomes-dbt`: dbt, for any data folder, with one saved parse of the project.

dbt reuses its saved parse of the project (partial parsing) only if the profile's connection
settings are the ones it was parsed with, and those include the warehouse's path and the spill
folder, both inside the data folder. So every data folder other than the one `make setup`
parsed for - a test's, a council's second deployment, a copy of the data - had dbt parse the
whole project again at every build: `dbt parse` took 15 s there against 5 s, on a 2-core
machine, in every whole nightly run of the test suite (docs/benchmarks.md, item 38).

Neither setting changes what the parse produces: nothing in the project reads the path or the
DuckDB options while parsing (models see `target.schema` only; the database name, which is in
every relation's name, is the file's stem and stays in the comparison). So they are left out of
that comparison, and only there: the connection, `target` in Jinja and `dbt debug` see them as
before.

It reaches into two private names (dbt-core's ManifestLoader.build_manifest_state_check and
dbt-duckdb's DuckDBCredentials._connection_keys; both pinned ~=1.11). If an upgrade drops
either, dbt runs unchanged (and parses in every new folder again), and
tests/test_project_loads.py, which checks that a parse made for one data folder serves another,
fails: an upgrade slows nothing down unnoticed, and breaks no nightly run.
"""

from __future__ import annotations

import sys

# Settings that locate this data folder's files and size DuckDB, but never change the parse.
NOT_PARSE_RELEVANT = ("path", "config_options")


def _ignore_data_folder_in_parse_state() -> None:
    from dbt.adapters.duckdb.credentials import DuckDBCredentials
    from dbt.parser.manifest import ManifestLoader

    state_check = getattr(ManifestLoader, "build_manifest_state_check", None)
    connection_keys = getattr(DuckDBCredentials, "_connection_keys", None)
    if state_check is None or connection_keys is None:
        return

    def parse_relevant_keys(self) -> tuple[str, ...]:
        return tuple(key for key in connection_keys(self) if key not in NOT_PARSE_RELEVANT)

    def build_manifest_state_check(self):
        # dbt calls this while it loads the project, before its node threads start, so the
        # narrower keys are seen by this call alone.
        DuckDBCredentials._connection_keys = parse_relevant_keys
        try:
            return state_check(self)
        finally:
            DuckDBCredentials._connection_keys = connection_keys

    ManifestLoader.build_manifest_state_check = build_manifest_state_check


def _log_only_what_a_logger_keeps() -> None:
    """dbt turns every event into a message and a log line for each logger, and only then lets
    the logger's Python level drop the line. A build at `--log-level-file warn` made each of its
    thousands of debug events (a dozen a node: each query, connection and cache step) into a
    protobuf message and two JSON lines (one for the file, one for the output dagster-dbt reads
    at info), and threw them all away: about 4.5 s of a 27 s build of the tiny fixture
    (docs/benchmarks.md, item 42).

    Here an event is made into a message only when some logger would write it or a callback
    other than dbt's tracking of behaviour changes (which reads nothing else) is listening, and a
    line only when its logger would write it: the same `isEnabledFor` test the Python logger
    applies, at the level dbt sends the line at (print events go as errors, so that `--quiet`
    still shows them). What reaches the file and the output is unchanged.

    It wraps two private names of dbt-common (`_Logger.write_line`, `EventManager.fire_event`;
    pinned with dbt-core ~=1.11). If an upgrade drops one, dbt logs as it did before this, and
    tests/test_project_loads.py fails, so it slows down noticed."""
    from dbt_common.events import logger as dbt_logger
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager

    write_line = getattr(dbt_logger._Logger, "write_line", None)
    fire_event = getattr(EventManager, "fire_event", None)
    levels = getattr(dbt_logger, "_log_level_map", None)
    print_events = getattr(dbt_logger, "PRINT_EVENT_NAMES", None)
    if None in (write_line, fire_event, levels, print_events):
        return
    from dbt.tracking import track_behavior_change_warn

    numbers = {level.value: number for level, number in levels.items()}  # msg.info.level is the text
    debug, error = levels[EventLevel.DEBUG], levels[EventLevel.ERROR]

    def keeps(python_logger, number: int) -> bool:
        return python_logger is not None and python_logger.isEnabledFor(number)

    def write_line_if_kept(self, msg) -> None:
        number = error if msg.info.name in print_events else numbers.get(msg.info.level)
        if number is None or keeps(self._python_logger, number):
            write_line(self, msg)

    def fire_event_if_kept(self, e, level=None, node=None, force_warn_or_error_handling=False) -> None:
        if (
            not force_warn_or_error_handling
            and (level if level else e.level_tag()) in (EventLevel.DEBUG, EventLevel.TEST)
            and type(e).__name__ not in print_events
            and all(callback is track_behavior_change_warn for callback in self.callbacks)
            and not any(keeps(logger._python_logger, debug) for logger in self.loggers)
        ):
            return
        fire_event(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    dbt_logger._Logger.write_line = write_line_if_kept
    EventManager.fire_event = fire_event_if_kept


def main() -> int:
    _ignore_data_folder_in_parse_state()
    _log_only_what_a_logger_keeps()
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    return cli()


if __name__ == "__main__":
    sys.exit(main())
