"""`outcomes-dbt`: dbt, for any data folder, with one saved parse of the project.

dbt reuses its saved parse of the project (partial parsing) only if the profile's connection
settings are the ones it was parsed with, and those include the warehouse's path and the spill
folder, both inside the data folder. So every data folder other than the one `make setup`
parsed for - a test's, a council's second deployment, a copy of the data - had dbt parse the
whole project again at every build: 28 s of a 31 s dbt step on the tests' tiny extract on a
2-core machine, paid by every whole nightly run of the test suite (docs/benchmarks.md, item 38).

Neither setting changes what the parse produces: nothing in the project reads the path or the
DuckDB options while parsing (models see `target.schema` only; the database name, which is in
every relation's name, is the file's stem and stays in the comparison). So here they are left
out of the comparison, and only there: the connection itself uses them as before.

A private method of dbt-duckdb (pinned ~=1.11). tests/test_project_loads.py checks that it still
exists and that a build in a new data folder does not parse again, so an upgrade that changes
it fails a test instead of slowing every run down.
"""

from __future__ import annotations

import sys

# Settings that locate this data folder's files and size DuckDB, but never change the parse.
NOT_PARSE_RELEVANT = ("path", "config_options")


def _ignore_data_folder_in_parse_state() -> None:
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    connection_keys = DuckDBCredentials._connection_keys

    def parse_relevant_keys(self) -> tuple[str, ...]:
        return tuple(key for key in connection_keys(self) if key not in NOT_PARSE_RELEVANT)

    DuckDBCredentials._connection_keys = parse_relevant_keys


def main() -> int:
    _ignore_data_folder_in_parse_state()
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    return cli()


if __name__ == "__main__":
    sys.exit(main())
