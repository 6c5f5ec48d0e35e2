"""The generator's memory savers write exactly what holding everything as numpy would have written.

Text held as Arrow (writer.compact_text), columns joined from mixed parts (writer.concat_columns),
tables saved per borough and joined later (borough_spill.BoroughSpill) and spill files read back
as a stream (education_arrow.ChunkSink) must each give the same CSV bytes as the plain numpy
path, since the extracts must stay byte-identical for a seed and scale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from pipelines.contracts.model import load_contract
from pipelines.synthetic.borough_spill import BoroughSpill
from pipelines.synthetic.education_arrow import ChunkSink
from pipelines.synthetic.writer import compact_text, concat_columns, write_arrow, write_table

# Mosaic person rows: ids, text with blanks, a date (day number); and a part with no rows
# whose text columns came out as numpy floats (np.array([])), which np.concatenate turns
# into text when joined to text.
BOROUGH_0 = {
    "pers_person_id": np.array([10, 11, 12]),
    "pers_sex": np.array(["M", "", "F"]),
    "pers_dob": np.array([18_000, 18_500, 19_000]),
    "pers_ethnicity": np.array(["WBRI", "AOTH", ""]),
}
BOROUGH_1 = {
    "pers_person_id": np.array([20, 21]),
    "pers_sex": np.array(["F", "M"]),
    "pers_dob": np.array([17_000, 17_001]),
    "pers_ethnicity": np.array(["BAFR", "WBRI"]),
}
NO_ROWS = {"pers_person_id": np.array([], dtype=np.int64), "pers_sex": np.array([]), "pers_dob": np.array([], dtype=np.int64), "pers_ethnicity": np.array([])}


def _numpy_join(*parts: dict) -> dict:
    """What generate did before: np.concatenate over the boroughs' numpy columns."""
    return {col: np.concatenate([p[col] for p in parts]) for col in parts[0]}


def _csv(path: Path, data) -> bytes:
    table = load_contract().table("mosaic", "ssd_person")
    write_table(path, table, data)
    return path.read_bytes()


def test_compacted_text_writes_the_same_bytes(tmp_path):
    plain = _csv(tmp_path / "plain.csv", BOROUGH_0)
    compact = compact_text(BOROUGH_0)
    assert isinstance(compact["pers_sex"], pa.Array) and isinstance(compact["pers_dob"], np.ndarray)
    assert _csv(tmp_path / "compact.csv", compact) == plain
    # Row two: no la_code, forename or surname given, a blank sex (empty, not "None"), AOTH.
    assert b"\n,11,,,,AOTH," in plain and b"None" not in plain


def test_joined_parts_write_what_numpy_concatenation_writes(tmp_path):
    both = [compact_text(BOROUGH_0), compact_text(BOROUGH_1)]
    joined = {col: concat_columns([p[col] for p in both]) for col in BOROUGH_0}
    assert isinstance(joined["pers_sex"], pa.ChunkedArray)  # text joined to text stays Arrow
    assert _csv(tmp_path / "joined.csv", joined) == _csv(tmp_path / "plain.csv", _numpy_join(BOROUGH_0, BOROUGH_1))
    # A part without rows, its text as numpy floats: the text goes back to numpy to be joined.
    mixed = [compact_text(BOROUGH_0), compact_text(NO_ROWS), compact_text(BOROUGH_1)]
    joined = {col: concat_columns([p[col] for p in mixed]) for col in BOROUGH_0}
    assert isinstance(joined["pers_sex"], np.ndarray)
    assert _csv(tmp_path / "mixed.csv", joined) == _csv(tmp_path / "plain_mixed.csv", _numpy_join(BOROUGH_0, NO_ROWS, BOROUGH_1))


def test_spilled_tables_join_in_borough_order(tmp_path):
    # Borough 0 delivers its rows in two parts (core, then an extension's rows), borough 1 in
    # one: joined, rows run 10, 11, 12, 13, 20, 21, as the in-memory join gave them.
    extra = {"pers_person_id": np.array([13]), "pers_sex": np.array(["M"]), "pers_dob": np.array([19_100]), "pers_ethnicity": np.array(["MOTH"])}
    spill = BoroughSpill()
    folder = spill.folder
    spill.add("ssd_person", 0, compact_text(BOROUGH_0))
    spill.add("ssd_person", 1, compact_text(BOROUGH_1))
    spill.add("ssd_person", 0, compact_text(extra))
    joined = spill.tables()["ssd_person"]()
    expected = _numpy_join(_numpy_join(BOROUGH_0, extra), BOROUGH_1)
    assert list(joined["pers_person_id"]) == [10, 11, 12, 13, 20, 21]
    assert _csv(tmp_path / "spilled.csv", joined) == _csv(tmp_path / "plain.csv", expected)
    assert list(folder.iterdir()) == []  # each part's files go once joined
    del spill
    assert not folder.exists()


def test_a_spilled_education_table_streams_the_same_rows(tmp_path):
    contract = load_contract().table("education", "early_years_funding")
    # Text, a decimal with a blank (NaN) and a Y/N flag: the kinds the pupil-level tables hold.
    chunk = {"child_reference": np.array(["EY2070000001", "EY2070000002"]), "funded_hours_per_week": np.array([15.0, np.nan]), "eypp": np.array([True, False])}
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    whole, streamed = ChunkSink(contract, tmp_path / "a"), ChunkSink(contract, tmp_path / "b")
    for sink in (whole, streamed):
        sink.append(chunk)
        sink.append(chunk)
    table, reader = whole.table(), streamed.table(stream=True)
    assert isinstance(reader, pa.RecordBatchReader)
    assert write_arrow(tmp_path / "stream.csv", reader) == 4
    assert write_arrow(tmp_path / "table.csv", table) == 4
    assert (tmp_path / "stream.csv").read_bytes() == (tmp_path / "table.csv").read_bytes()
    assert b",EY2070000002,,,,,,,,,,,,N," in (tmp_path / "stream.csv").read_bytes()
    assert not list(tmp_path.rglob("*.arrows"))  # spill files are unlinked once opened
