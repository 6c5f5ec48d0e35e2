"""Handing the education tables to the writer as Arrow, compactly and within memory.

The census and attendance tables run to tens of millions of rows at national scale, so columns
are built as positions in short lists of labels (dictionary arrays) rather than as millions of
Python strings, and each year's rows are spilled to an Arrow IPC file as soon as they are made.
The finished table is memory-mapped from that file, or (for the writer) read back from it as a
stream of chunks, so the generator never holds every row in memory. The spill file is unlinked
at once: the mapping or open file keeps it readable until dropped, and nothing is left behind.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipelines.synthetic.writer import _to_arrow

NO_YES = pa.array(["N", "Y"])
LARGEST_DICTIONARY = 500_000


@dataclass
class Coded:
    """A column given as positions in a list of labels (-1 = blank)."""

    indices: np.ndarray
    labels: pa.Array

    @classmethod
    def of(cls, indices, labels) -> "Coded":
        return cls(np.asarray(indices), labels if isinstance(labels, pa.Array) else pa.array(np.asarray(labels).astype(str)))


def _index_dtype(n_labels: int):
    """The narrowest signed integer for positions in a list of labels."""
    return np.int8 if n_labels < 127 else np.int16 if n_labels < 32_767 else np.int32


def _arrow_column(values, col_type: str) -> pa.Array:
    """One column to Arrow: dictionary-coded columns stay coded; dates become date32; Y/N for
    booleans; integers and decimals stay numbers, negative integers and NaN blank; other text
    as text. DuckDB writes them all out as text."""
    if isinstance(values, Coded):
        indices = values.indices.astype(_index_dtype(len(values.labels)))
        labels = values.labels if values.labels.type == pa.string() else values.labels.cast(pa.string())
        positions = pa.array(indices, mask=indices < 0)
        if len(labels) > LARGEST_DICTIONARY:
            # One label per pupil (UPNs, postcodes): pyarrow builds dictionary arrays over
            # million-entry dictionaries very slowly, so take the strings instead.
            return labels.take(positions)
        return pa.DictionaryArray.from_arrays(positions, labels)
    values = np.asarray(values)
    if values.dtype.kind == "b":
        return pa.DictionaryArray.from_arrays(pa.array(values.astype(np.int8)), NO_YES)
    if values.dtype.kind == "S":
        return pa.array(values).cast(pa.string())
    if values.dtype.kind == "f":
        return pa.array(values, mask=np.isnan(values))
    if values.dtype.kind in "iu" and col_type not in ("date", "datetime"):
        return pa.array(values.astype(np.int32), mask=values < 0)
    arr = _to_arrow(values, col_type)
    return arr if pa.types.is_date32(arr.type) else arr.cast(pa.string())


def arrow_chunk(contract_table, data: dict) -> pa.Table:
    """Columns (numpy arrays or Coded) -> an Arrow table in the contract's column order, with
    the contract columns the generator does not fill left blank (a council's header)."""
    first = next(iter(data.values()))
    n = len(first.indices if isinstance(first, Coded) else first)
    arrays = [_arrow_column(data[c.name], c.type) if c.name in data else pa.nulls(n, type=pa.string()) for c in contract_table.columns]
    return pa.Table.from_arrays(arrays, names=[c.name for c in contract_table.columns])


def _empty(contract_table) -> pa.Table:
    return pa.Table.from_arrays([pa.array([], type=pa.string()) for _ in contract_table.columns], names=[c.name for c in contract_table.columns])


def arrow_table(contract_table, parts: list[dict]) -> pa.Table:
    """Small tables (register, early years, home education): chunks to one Arrow table."""
    chunks = [arrow_chunk(contract_table, data) for data in parts]
    return pa.concat_tables(chunks) if chunks else _empty(contract_table)


class ChunkSink:
    """Collects a table's chunks in an Arrow IPC stream on disk (see the module docstring)."""

    def __init__(self, contract_table, folder: Path):
        self.contract_table = contract_table
        self.path = folder / f"{contract_table.table}.arrows"
        self.writer: pa.ipc.RecordBatchStreamWriter | None = None

    def append(self, data: dict) -> None:
        chunk = arrow_chunk(self.contract_table, data)
        if self.writer is None:
            self.writer = pa.ipc.new_stream(str(self.path), chunk.schema)
        self.writer.write_table(chunk)

    def table(self, stream: bool = False) -> pa.Table | pa.RecordBatchReader:
        """The whole table, memory-mapped; or, with `stream`, a reader that yields the chunks
        once, in order, from the file (for the writer: a mapped table read to the end counts
        in full against the process's memory)."""
        if self.writer is None:
            return _empty(self.contract_table)
        self.writer.close()
        if stream:
            reader = pa.ipc.open_stream(pa.OSFile(str(self.path), "r"))
            os.unlink(self.path)  # the open file keeps the data until the reader is dropped
            return reader
        source = pa.memory_map(str(self.path), "r")
        table = pa.ipc.open_stream(source).read_all()
        os.unlink(self.path)  # the mapping keeps the data until the table is dropped
        return table


def spill_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="education_spill_"))
