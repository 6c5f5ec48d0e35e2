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

ROWS_SHOWN = 10


def failed_test_rows(target_path: Path, con: duckdb.DuckDBPyConnection, limit: int = ROWS_SHOWN) -> dict[str, list[str]]:
    """For each test that failed in the dbt invocation whose artifacts are in `target_path`: its
    first `limit` failing rows, each as "column value, column value". A test that erred (its SQL
    did not run) has no rows to show and is left out; dbt's message already says why."""
    try:
        results = json.loads((target_path / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return {}
    found: dict[str, list[str]] = {}
    for result in results:
        if not result["unique_id"].startswith("test.") or result["status"] != "fail" or not result.get("compiled_code"):
            continue
        name = result["unique_id"].split(".")[2]
        try:
            cursor = con.execute(f"select * from ({result['compiled_code']}) as failing_rows limit {int(limit)}")
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
