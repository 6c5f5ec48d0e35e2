"""Holding each borough's finished Mosaic tables on disk until the extract is written.

A Mosaic extract holds both boroughs' rows, but the boroughs are built one after the other, and
at national scale one borough's tables alone run to gigabytes. So each table's columns are saved
as soon as they are built (numpy arrays with np.save, Arrow text as an Arrow IPC file), and a
table's parts are read back and joined (writer.concat_columns) just before that table is
written: the same columns, so the same file, as if every part had been held in memory.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import weakref
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipelines.synthetic.writer import concat_columns


class BoroughSpill:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="mosaic_spill_"))
        self.parts: dict[str, list[tuple[int, dict[str, Path]]]] = {}
        self._files = 0
        # Removed when the spill is dropped, or at exit if generation fails half way.
        weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def add(self, table: str, borough: int, data: dict) -> None:
        """Save rows of a table (columns: numpy arrays or Arrow text); a borough's rows may come
        in several parts, which are joined in the order they came."""
        saved = {col: self._save(values) for col, values in data.items()}
        self.parts.setdefault(table, []).append((borough, saved))

    def tables(self) -> dict[str, Callable[[], dict]]:
        """Each table as a function that reads back and joins its parts: first each borough's,
        then the boroughs' in order (as generate joined them when all were held in memory)."""
        return {name: functools.partial(self._join, name) for name in self.parts}

    def _join(self, table: str) -> dict:
        parts = self.parts.pop(table)
        columns = list(parts[0][1])
        boroughs: dict[int, dict] = {}
        for borough, saved in parts:
            part = {col: _load(saved[col]) for col in columns}
            held = boroughs.get(borough)
            boroughs[borough] = part if held is None else {col: concat_columns([held[col], part[col]]) for col in columns}
        for path in (path for _, saved in parts for path in saved.values()):
            path.unlink()
        return {col: concat_columns([b[col] for b in boroughs.values()]) for col in columns}

    def _save(self, values) -> Path:
        self._files += 1
        if isinstance(values, (pa.Array, pa.ChunkedArray)):
            path = self.folder / f"{self._files}.arrow"
            column = pa.table({"v": values})
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, column.schema) as writer:
                writer.write_table(column)
        else:
            path = self.folder / f"{self._files}.npy"
            np.save(path, np.asarray(values), allow_pickle=True)
        return path


def _load(path: Path):
    if path.suffix == ".arrow":
        with pa.OSFile(str(path), "rb") as source:
            return pa.ipc.open_file(source).read_all().column("v")
    return np.load(path, allow_pickle=True)
