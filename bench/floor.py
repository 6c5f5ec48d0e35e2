"""The raw-read floor: DuckDB reading every raw file once into a table, nothing else.

    python -m bench.floor <database file> <csv file>...

Each file becomes a table of a fresh database file with `read_csv` (types detected, all
columns), which is the least any ingest of these files must do. Prints the rows read as JSON.
"""

from __future__ import annotations

import json
import sys

import duckdb


def read_all(database: str, files: list[str]) -> int:
    con = duckdb.connect(database)
    rows = 0
    for i, path in enumerate(files):
        con.execute(f"create table file_{i} as select * from read_csv(?)", [path])
        rows += con.execute(f"select count(*) from file_{i}").fetchone()[0]
    con.close()
    return rows


if __name__ == "__main__":
    print(json.dumps({"rows": read_all(sys.argv[1], sys.argv[2:])}))
