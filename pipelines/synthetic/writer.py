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


def _to_arrow(values: np.ndarray | pa.Array | pa.ChunkedArray, kind: str) -> pa.Array:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values  # text already handed over by compact_text
    if kind in ("date", "datetime") and values.dtype.kind in "iu":
        v = np.asarray(values, dtype=np.int64)
        mask = (v >= OPEN) | (v <= -OPEN)
        return pa.array(np.where(mask, 0, v).astype(np.int32), type=pa.date32(), mask=mask)
    if values.dtype.kind in "iu":
        if kind in ("integer",):
            return pa.array(values)
        # Ids as text, negatives blank. Arrow's cast gives the digits numpy's str() would, without
        # numpy's fixed-width text (84 bytes a value for int64) in between.
        return pa.array(values, mask=values < 0).cast(pa.string())
    if values.dtype.kind == "f":
        return pa.array(values)
    if values.dtype.kind == "b":
        return pa.array(np.where(values, "Y", "N"))
    s = values.astype(str, copy=False)  # text stays as it is: no second copy of a large column
    return pa.array(s, mask=(s == ""))


def compact_text(data: dict) -> dict:
    """The table's text ('U') columns as Arrow strings, written exactly as _to_arrow would write
    them. numpy keeps 4 bytes per character of the longest value; at national scale the Mosaic
    tables of both boroughs held that way need tens of gigabytes."""
    return {col: _to_arrow(v, "text") if isinstance(v, np.ndarray) and v.dtype.kind == "U" else v for col, v in data.items()}


def concat_columns(parts: list) -> np.ndarray | pa.ChunkedArray:
    """np.concatenate over parts of a column, some perhaps compacted: Arrow parts stay Arrow when
    all parts are text; otherwise they go back to numpy text first, so the result (and the file)
    is what concatenating the numpy parts would have given."""
    if all(isinstance(p, (pa.Array, pa.ChunkedArray)) for p in parts):
        return pa.chunked_array([c for p in parts for c in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])], type=pa.string())
    return np.concatenate([_numpy_text(p) if isinstance(p, (pa.Array, pa.ChunkedArray)) else p for p in parts])


def _numpy_text(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.array(values.fill_null("").to_pylist(), dtype=str)


def write_table(path: Path, contract: TableContract, data: dict[str, np.ndarray]) -> int:
    n = len(next(iter(data.values())))
    arrays, names = [], []
    for col in contract.columns:
        if col.name in data:
            values = data[col.name]
            arrays.append(_to_arrow(values if isinstance(values, (pa.Array, pa.ChunkedArray)) else np.asarray(values), col.type))
        else:
            arrays.append(pa.nulls(n, type=pa.string()))
        names.append(col.name)
    table = pa.Table.from_arrays(arrays, names=names)
    return write_arrow(path, table)


# DuckDB only formats and writes here; uncapped it may take 80% of the machine's memory for
# buffers. Insertion order must be kept: the files' bytes depend on the row order.
WRITER_CONFIG = {"memory_limit": "1GB", "preserve_insertion_order": True}


def write_arrow(path: Path, table: pa.Table | pa.RecordBatchReader) -> int:
    """Write a table, or a stream of record batches read once (large tables spilled to disk), as
    CSV. Returns the number of rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    con = duckdb.connect(config=WRITER_CONFIG)
    try:
        con.register("t", table)
        rows = con.execute(f"copy (select * from t) to '{tmp}' (format csv, header true, dateformat '%Y-%m-%d', null '')").fetchall()[0][0]
    finally:
        con.close()
    tmp.replace(path)
    return int(rows)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()
