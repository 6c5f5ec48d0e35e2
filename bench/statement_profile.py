"""DuckDB's own profile of a statement, kept when the statement is slow, and read back as a tree.

Used by `python -m bench.ingest_statements ... --profile DIR` (docs/benchmarks.md, item 44): the
per-statement wall times say which statement is slow; its operator tree says where inside it
the time goes (the CSV reader or the table write, the conformance projections or a join).

DuckDB writes the profile of every statement to one file while profiling is on, so each
statement gets a file of its own, and the file is deleted again when the statement was quick.
An operator's seconds are DuckDB's `timing`, summed over the threads that ran it: on two cores a
statement's operators can add up to twice its wall time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb


# Statements that write: the slow ones in ingest. A statement whose rows the caller fetches is not
# profiled, because turning profiling off is a statement too, and DuckDB drops a result not yet
# fetched when the next statement runs on its connection.
PROFILED = re.compile(r"\s*(create|insert|update|delete)\b", re.IGNORECASE)


@dataclass(frozen=True)
class OperatorLine:
    depth: int
    operator: str
    seconds: float
    rows: int
    detail: str  # the table scanned, or the join's conditions, or the groups


def profile_statement(con: duckdb.DuckDBPyConnection, sql: str, output: Path, keep_from_seconds: float, *args, **kwargs):
    """Run `sql` with DuckDB's JSON profiling writing to `output`; delete the file when the
    statement took less than `keep_from_seconds`. Returns what `execute` returns. A statement
    that does not write (PROFILED) runs as it is."""
    if not PROFILED.match(sql):
        return con.execute(sql, *args, **kwargs)
    con.execute("set enable_profiling = 'json'")  # first: DuckDB checks the file's extension against it
    con.execute(f"set profiling_output = '{output}'")
    try:
        result = con.execute(sql, *args, **kwargs)
    finally:
        con.execute("set enable_profiling = 'no_output'")  # leaves the statement's file as it is
        con.execute("reset enable_profiling")
    if output.exists() and statement_seconds(output) < keep_from_seconds:
        output.unlink()
    return result


def statement_seconds(path: Path) -> float:
    return float(json.loads(path.read_text(encoding="utf-8"))["query"].get("total_time") or 0.0)


def operator_lines(path: Path, from_seconds: float = 0.5) -> list[OperatorLine]:
    """The operators of a saved profile that took at least `from_seconds`, depth first, each
    with its depth in the tree (so a reader sees what feeds what)."""
    profile = json.loads(path.read_text(encoding="utf-8"))
    lines: list[OperatorLine] = []

    def walk(node: dict, depth: int) -> None:
        seconds = float(node.get("timing") or 0.0)
        if seconds >= from_seconds:
            info = node.get("extra_info") or {}
            detail = info.get("Table") or info.get("Conditions") or info.get("Groups") or info.get("Function") or ""
            lines.append(OperatorLine(depth, str(node.get("type")), seconds, int(node.get("intermediate_rows") or 0), str(detail)[:120]))
        for child in node.get("children") or []:
            walk(child, depth + 1)

    for root in profile.get("operator") or []:
        walk(root, 0)
    return lines


def describe(path: Path, from_seconds: float = 0.5) -> str:
    """A saved profile as text: the statement's first words, its time, and its slow operators."""
    profile = json.loads(path.read_text(encoding="utf-8"))
    query = profile["query"]
    head = " ".join(str(query.get("sql", "")).split())[:100]
    out = [f"{path.name}: {float(query.get('total_time') or 0):.1f} s  {head}"]
    out += [f"  {'  ' * line.depth}{line.operator} {line.seconds:.1f} s, {line.rows:,} rows {line.detail}".rstrip() for line in operator_lines(path, from_seconds)]
    return "\n".join(out)
