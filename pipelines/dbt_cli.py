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


def main() -> int:
    _ignore_data_folder_in_parse_state()
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    return cli()


if __name__ == "__main__":
    sys.exit(main())
