"""Write generated tables as CSV files in the layout of the extract contract.

Formatting runs in DuckDB (dates, blanks) so that national-scale tables are written at disk
speed. Columns follow the contract's order; contract columns the generator does not fill are
written blank, so a synthetic file has the same header as a council's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.contracts.model import TableContract
from pipelines.synthetic.pinning import OPEN


def _to_arrow(values: np.ndarray, kind: str) -> pa.Array:
    if kind in ("date", "datetime") and values.dtype.kind in "iu":
        v = np.asarray(values, dtype=np.int64)
        mask = (v >= OPEN) | (v <= -OPEN)
        return pa.array(np.where(mask, 0, v).astype(np.int32), type=pa.date32(), mask=mask)
    if values.dtype.kind in "iu":
        if kind in ("integer",):
            return pa.array(values)
        mask = values < 0
        return pa.array(values.astype(str), mask=mask)
    if values.dtype.kind == "f":
        return pa.array(values)
    if values.dtype.kind == "b":
        return pa.array(np.where(values, "Y", "N"))
    s = values.astype(str)
    return pa.array(s, mask=(s == ""))


def write_table(path: Path, contract: TableContract, data: dict[str, np.ndarray]) -> int:
    n = len(next(iter(data.values())))
    arrays, names = [], []
    for col in contract.columns:
        if col.name in data:
            arrays.append(_to_arrow(np.asarray(data[col.name]), col.type))
        else:
            arrays.append(pa.nulls(n, type=pa.string()))
        names.append(col.name)
    table = pa.Table.from_arrays(arrays, names=names)
    return write_arrow(path, table)


def write_arrow(path: Path, table: pa.Table) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    con = duckdb.connect()
    try:
        con.register("t", table)
        con.execute(f"copy (select * from t) to '{tmp}' (format csv, header true, dateformat '%Y-%m-%d', null '')")
    finally:
        con.close()
    tmp.replace(path)
    return table.num_rows


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()
