"""The export files: built from the published tables, neutralised against formula injection,
and checked after writing (a tampered or leaky export is refused)."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from pipelines.publication.exports import CSV_NAME, PARQUET_NAME, WORKBOOK_NAME, ExportContext, ExportError, verify_exports, write_tables, write_workbook
from pipelines.publication.linear_constraints import Rules
from pipelines.publication.published_tables import build_published_tables, priority_tables
from tests.test_suppression import BI, RBKC, WCC, row

RULES = Rules(threshold=5, min_denominator=10)


def _context(synthetic: bool) -> ExportContext:
    return ExportContext(
        publication_id="20230516T020000Z-abcdef12", published_at="2023-05-16T02:00:00Z", synthetic=synthetic,
        code_version="test", extract_dates={"mosaic": "2023-05-15"}, threshold=5, min_denominator=10,
    )


@pytest.fixture
def published():
    """A published schema from a small mart: P3_X counts 3 / 20 / 23 (RBKC and WCC suppressed)
    and a P5 count broken down by values a spreadsheet would run as formulas."""
    con = duckdb.connect()
    rows = [row("P3_X", "count", a, "2022-23", n) for a, n in ((RBKC, 3), (WCC, 20), (BI, 23))]
    for value in ("=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-2+3", "-2"):
        rows += [row("P5_Y", "count", a, "2022-23", 40, breakdown="source", breakdown_value=value) for a in (RBKC, WCC)]
        rows += [row("P5_Y", "count", BI, "2022-23", 80, breakdown="source", breakdown_value=value)]
    con.execute("create schema marts")
    con.register("rows_in", pd.DataFrame(rows))
    con.execute("create table marts.outcome_measures as select * from rows_in")
    con.unregister("rows_in")
    build_published_tables(con, RULES)
    yield con
    con.close()


def test_exports_hold_the_published_rows_with_formulas_neutralised(published, tmp_path):
    write_tables(published, tmp_path)
    write_workbook(published, tmp_path, _context(synthetic=True))
    marts = published.execute("select * from marts.outcome_measures").df()
    verify_exports(published, tmp_path, marts, RULES)  # raises on any mismatch

    csv = pd.read_csv(tmp_path / CSV_NAME, dtype=str, keep_default_na=False)
    assert len(csv) == 18
    values = set(csv[csv.measure_id == "P5_Y"].breakdown_value)
    # A plain negative number is a number, not a formula: it stays as it is.
    assert values == {"'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-2+3", "-2"}
    assert list(csv[(csv.measure_id == "P3_X")].sort_values("area_code").value_published) == ["23", "c", "c"]
    parquet = pd.read_parquet(tmp_path / PARQUET_NAME)
    assert set(parquet[parquet.measure_id == "P5_Y"].breakdown_value) == values

    workbook = load_workbook(tmp_path / WORKBOOK_NAME)
    texts = [cell for sheet in workbook.worksheets for line in sheet.iter_rows() for cell in line if isinstance(cell.value, str)]
    assert not [c for c in texts if c.data_type == "f"], "a text cell was stored as a formula"
    assert "'=HYPERLINK(\"http://x\")" in {c.value for c in texts}


def test_workbook_reads_as_a_publication(published, tmp_path):
    write_workbook(published, tmp_path, _context(synthetic=True))
    workbook = load_workbook(tmp_path / WORKBOOK_NAME)
    tables = priority_tables()
    assert workbook.sheetnames[:2] == ["Cover", "Notes"] and len(workbook.sheetnames) == 2 + len(tables)
    cover = [c for line in workbook["Cover"].iter_rows(values_only=True) for c in line if c]
    assert any("SYNTHETIC DATA" in str(c) for c in cover)
    p3 = workbook[workbook.sheetnames[2 + [t.priority for t in tables].index("P3")]]
    lines = [[c for c in line if c is not None] for line in p3.iter_rows(values_only=True)]
    header = next(line for line in lines if line and line[0] == "Measure")
    assert header[:8] == ["Measure", "Measure name", "Statistic", "Area", "Period", "Breakdown", "Breakdown value", "Figure"]
    figures = [line for line in p3.iter_rows(values_only=True) if line[0] == "P3_X" and line[2] == "count"]
    # Boroughs first, then the bi-borough; suppressed figures show c with the reason beside them.
    assert [(line[3], line[7]) for line in figures] == [("Kensington and Chelsea", "c"), ("Westminster", "c"), ("Bi-borough", 23)]
    assert "secondary suppression" in figures[1][11]
    flat = [str(c) for line in lines for c in line]
    assert "Symbols" in flat and "Definitions" in flat and any(s.startswith("confidential") for s in flat)

    write_workbook(published, tmp_path, _context(synthetic=False))
    cover = [c for line in load_workbook(tmp_path / WORKBOOK_NAME)["Cover"].iter_rows(values_only=True) for c in line if c]
    assert not any("SYNTHETIC DATA" in str(c) for c in cover)


def test_a_tampered_csv_is_refused(published, tmp_path):
    write_tables(published, tmp_path)
    write_workbook(published, tmp_path, _context(synthetic=False))
    marts = published.execute("select * from marts.outcome_measures").df()
    path = tmp_path / CSV_NAME
    # Someone "fixes" the CSV: RBKC's suppressed 3 is typed back in.
    lines = path.read_text().splitlines()
    fixed = [
        re.sub(r",count,,,,c,0,primary,[^,]*,", ",count,3.0,,3.0,3,0,,,", line) if line.startswith("P3_X,") and ",E09000020," in line else line
        for line in lines
    ]
    assert fixed != lines
    path.write_text("\n".join(fixed) + "\n")
    with pytest.raises(ExportError, match="CSV differs from published.outcome_measures"):
        verify_exports(published, tmp_path, marts, RULES)


def test_a_leak_in_the_published_table_is_caught_in_the_export_too(published, tmp_path):
    # The published table itself gives WCC's secondary 20 away; the CSV is faithful to it, and
    # the audit of what the CSV shows refuses it (BI 23 - WCC 20 = RBKC's 3).
    published.execute(
        "update published.outcome_measures set numerator = 20, value = 20, value_published = '20', suppression_reason = null, suppression_note = null "
        "where measure_id = 'P3_X' and area_code = 'E09000033'"
    )
    write_tables(published, tmp_path)
    write_workbook(published, tmp_path, _context(synthetic=False))
    marts = published.execute("select * from marts.outcome_measures").df()
    with pytest.raises(ExportError, match="the CSV gives away a suppressed count .* P3_X / E09000020 / 2022-23"):
        verify_exports(published, tmp_path, marts, RULES)


def test_a_formula_anywhere_in_the_workbook_is_found(published, tmp_path):
    import xlsxwriter

    from pipelines.publication.exports import _formula_cells

    write_workbook(published, tmp_path, _context(synthetic=False))
    assert _formula_cells(tmp_path / WORKBOOK_NAME) == []
    # A workbook someone edited: a live formula in the second sheet.
    edited = tmp_path / "edited.xlsx"
    book = xlsxwriter.Workbook(str(edited))
    book.add_worksheet("Cover").write_string(0, 0, "=1+1")  # text, not a formula
    book.add_worksheet("Notes").write_formula(0, 0, "=1+1")
    book.close()
    assert _formula_cells(edited) == ["sheet2"]


def test_a_live_formula_in_an_export_is_refused(published, tmp_path):
    """An export whose text would run as a formula is refused, naming the file and column, even
    where a plain negative number beside it is left alone."""
    write_tables(published, tmp_path)
    write_workbook(published, tmp_path, _context(synthetic=False))
    marts = published.execute("select * from marts.outcome_measures").df()
    path = tmp_path / PARQUET_NAME
    # The Parquet file rewritten without the apostrophe that neutralises "'+1".
    published.execute(
        f"copy (select * replace (case when breakdown_value = '''+1' then '+1' else breakdown_value end as breakdown_value) "
        f"from read_parquet('{path}')) to '{tmp_path / 'rewritten.parquet'}' (format parquet)"
    )
    (tmp_path / "rewritten.parquet").replace(path)
    with pytest.raises(ExportError, match=r"Parquet column breakdown_value has a cell a spreadsheet would run as a formula: '\+1'"):
        verify_exports(published, tmp_path, marts, RULES)
