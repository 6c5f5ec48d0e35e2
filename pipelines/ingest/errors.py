"""Errors that stop a file from being ingested. Each names the file, what is wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class IngestError(RuntimeError):
    """A file cannot be ingested at all (as opposed to bad rows, which are quarantined)."""

    def __init__(self, path: Path | str, problem: str, remedy: str, *, row: int | None = None, column: str | None = None):
        self.path = Path(path)
        self.problem = problem
        self.remedy = remedy
        self.row = row
        self.column = column
        where = f"{self.path}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem} What to do: {remedy}")
