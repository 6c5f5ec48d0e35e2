"""What a failed dbt test found, for the message of the step that failed.

dbt's own message for a failed test is its name and a count ("Got 3 results"). A test here
checks many rules at once (`column_rules` all the rules on a model's columns, `measure_rows` a
measure model's contract: dbt_project/tests/generic/), and its rows say which rule broke and in
how many rows. Once dbt has finished, the query of each failed test is run again from
`run_results.json` (read-only, at most a few rows), so the step's failure, the failure record
and the alert say what is wrong without anyone opening the compiled SQL.

The rows hold what the tests select: rule names and counts, measure keys, or the key values a
relationship test could not find, which are pseudonymised like everything in the build database.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.assets.table_metadata import connect_after_dbt

ROWS_SHOWN = 10


def failed_test_rows(target_path: Path, database_path: Path) -> dict[str, list[str]]:
    """The rows of the tests that failed in the dbt invocation whose artifacts are in
    `target_path`; nothing when no test failed (a model's error, say) or the database cannot be
    read, and the build's own error is then the whole story."""
    tests = failed_tests(target_path)
    if not tests:
        return {}
    try:
        con = connect_after_dbt(database_path)
    except duckdb.Error:
        return {}
    try:
        return failing_rows(con, tests)
    finally:
        con.close()


def failed_tests(target_path: Path) -> dict[str, str]:
    """The tests that failed in the dbt invocation whose artifacts are in `target_path`, each
    with its compiled query. A test that erred (its SQL did not run) is left out: dbt's message
    already says why, and there are no rows to show."""
    try:
        results = json.loads((target_path / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return {}
    return {
        result["unique_id"].split(".")[2]: result["compiled_code"]
        for result in results
        if result["unique_id"].startswith("test.") and result["status"] == "fail" and result.get("compiled_code")
    }


def failing_rows(con: duckdb.DuckDBPyConnection, tests: dict[str, str], limit: int = ROWS_SHOWN) -> dict[str, list[str]]:
    """Each test's first `limit` failing rows, each as "column value, column value"."""
    found: dict[str, list[str]] = {}
    for name, query in tests.items():
        try:
            cursor = con.execute(f"select * from ({query}) as failing_rows limit {int(limit)}")
            columns = [d[0] for d in cursor.description]
            found[name] = [", ".join(f"{column} {value}" for column, value in zip(columns, row)) for row in cursor.fetchall()]
        except duckdb.Error as exc:
            found[name] = [f"(its query could not be run again: {exc})"]
    return found


def describe(found: dict[str, list[str]]) -> str:
    """The failed tests and their rows, as text for a step's failure."""
    lines = []
    for name, rows in sorted(found.items()):
        lines.append(f"dbt test {name} failed:")
        lines += [f"  - {row}" for row in rows] or ["  (no rows)"]
    return "\n".join(lines)
