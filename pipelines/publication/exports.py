"""The files of a publication, built from the `published` schema only, and checked after writing.

    outcome_measures.csv       published.outcome_measures, one row per figure
    outcome_measures.parquet   the same, typed
    outcomes.xlsx              a workbook to read: a cover (saying SYNTHETIC DATA when it is), notes
                               on symbols and rounding, and a sheet per priority with headers,
                               units and footnotes quoting the catalogue's definitions

Text cells that start with = + - @ (or a tab or carriage return) get a leading apostrophe, so a
spreadsheet never runs a value as a formula (the extracts are outside data).

`verify_exports` reads every file back: the CSV and Parquet must hold exactly the published rows,
the workbook must show exactly the published figures, no text cell may be a live formula, and the
disclosure audit runs again on what the CSV shows (what a reader downloads is what is audited).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.publication.disclosure_audit import audit, failures
from pipelines.publication.linear_constraints import Rules
from pipelines.publication.published_tables import SYMBOLS, UNIT_LABELS, priority_tables

CSV_NAME = "outcome_measures.csv"
PARQUET_NAME = "outcome_measures.parquet"
WORKBOOK_NAME = "outcomes.xlsx"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Boroughs before the combined area, as the councils print them.
ORDER = "measure_id, statistic, breakdown, breakdown_value, period_type, period_end, area_code = 'BIBOROUGH', area_code"
SHEET_COLUMNS = [
    ("Measure", "measure_id"),
    ("Measure name", "measure_name"),
    ("Statistic", "statistic"),
    ("Area", "area_name"),
    ("Period", "period_label"),
    ("Breakdown", "breakdown"),
    ("Breakdown value", "breakdown_value"),
    ("Figure", "value_published"),
    ("Unit", "unit"),
    ("Numerator", "numerator"),
    ("Denominator", "denominator"),
    ("Note", "suppression_note"),
]


class ExportError(RuntimeError):
    """A written export does not match the published tables."""


def neutralise(text):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(text, str) and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def restore(text):
    """The original text of a neutralised cell (to match it with the marts again)."""
    if isinstance(text, str) and text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _neutralised_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    columns = con.execute(f"describe {table}").fetchall()
    parts = []
    for name, type_, *_ in columns:
        if type_ == "VARCHAR":
            parts.append(f"case when regexp_matches({name}, '^[=+@\\t\\r-]') then '''' || {name} else {name} end as {name}")
        else:
            parts.append(name)
    return f"select {', '.join(parts)} from {table} order by {ORDER}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ExportContext:
    publication_id: str
    published_at: str
    synthetic: bool
    code_version: str
    extract_dates: dict[str, str]
    threshold: int
    min_denominator: int


def write_tables(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    select = _neutralised_select(con, "published.outcome_measures")
    csv_path, parquet_path = folder / CSV_NAME, folder / PARQUET_NAME
    con.execute(f"copy ({select}) to '{csv_path}' (format csv, header true)")
    con.execute(f"copy ({select}) to '{parquet_path}' (format parquet)")
    return [csv_path, parquet_path]


def write_workbook(con: duckdb.DuckDBPyConnection, folder: Path, context: ExportContext) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    title = Font(bold=True, size=14)
    warning = Font(bold=True, size=14, color="C00000")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    right = Alignment(horizontal="right")

    def text_cell(sheet, row, column, value, font=None):
        cell = sheet.cell(row=row, column=column, value=neutralise(value))
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text
        if font is not None:
            cell.font = font
        return cell

    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    row = 1
    text_cell(cover, row, 1, "Bi-borough children's outcomes: Kensington and Chelsea and Westminster", title)
    row += 2
    if context.synthetic:
        text_cell(cover, row, 1, "SYNTHETIC DATA: every figure in this workbook was computed from generated test extracts and describes no real child.", warning)
        row += 2
    for label, value in (
        ("Publication", context.publication_id),
        ("Published", context.published_at),
        ("Code version", context.code_version),
        *((f"Extract ({source})", date) for source, date in sorted(context.extract_dates.items())),
    ):
        text_cell(cover, row, 1, label, bold)
        text_cell(cover, row, 2, value)
        row += 1
    row += 1
    text_cell(cover, row, 1, "Contents", bold)
    row += 1
    text_cell(cover, row, 1, "Notes")
    text_cell(cover, row, 2, "Symbols, suppression, rounding and units")
    tables = priority_tables()
    sheet_names = {t.table: f"{t.priority} {t.table.split('_', 2)[-1].replace('_', ' ')}"[:31] for t in tables}
    for table in tables:
        row += 1
        text_cell(cover, row, 1, sheet_names[table.table])
        text_cell(cover, row, 2, f"{table.title}: {table.outcome_statement}")
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 110

    notes = workbook.create_sheet("Notes")
    lines = [
        ("Symbols", None),
        *((f"{symbol}", meaning) for symbol, meaning in SYMBOLS.items()),
        ("", None),
        ("Suppression", None),
        ("", f"Counts of 1 to {context.threshold} children are not shown (c), nor any percentage, rate or mean built on one. "
             "Where a suppressed figure could be worked out by subtraction (from the bi-borough figure and the other borough, "
             "from a breakdown's total, or from a year and its quarters), a second figure is suppressed too. Zero is shown as 0."),
        ("", f"Percentages, rates and means on fewer than {context.min_denominator} children are not shown (c)."),
        ("Rounding", None),
        ("", "Counts are whole numbers; percentages and rates are rounded to 1 decimal place and means to 2, at publication only."),
        ("Bi-borough", None),
        ("", "Bi-borough figures pool the two boroughs' numerators and denominators; they are never an average of the two."),
        ("Units", None),
        *((unit, label) for unit, label in UNIT_LABELS.items()),
    ]
    for i, (label, text) in enumerate(lines, start=1):
        text_cell(notes, i, 1, label, bold if text is None else None)
        if text is not None:
            text_cell(notes, i, 2, text)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 120

    definitions = {r[0]: r[1:] for r in con.execute("select measure_id, measure_name, definition, unit, polarity_note from published.measure_definitions").fetchall()}
    for table in tables:
        sheet = workbook.create_sheet(sheet_names[table.table])
        text_cell(sheet, 1, 1, f"{table.title}: {table.outcome_statement}", title)
        if context.synthetic:
            text_cell(sheet, 2, 1, "SYNTHETIC DATA: these figures describe no real child.", warning)
        header_row = 4
        for column, (heading, _) in enumerate(SHEET_COLUMNS, start=1):
            cell = text_cell(sheet, header_row, column, heading, bold)
            cell.fill = header_fill
        names = [name for _, name in SHEET_COLUMNS]
        rows = con.execute(f"select {', '.join(names)}, value, decimal_places from published.{table.table} order by {ORDER}").fetchall()
        for offset, values in enumerate(rows, start=1):
            r = header_row + offset
            record = dict(zip(names + ["_value", "_decimals"], values))
            for column, name in enumerate(names, start=1):
                value = record[name]
                if name == "value_published":
                    if record["_value"] is not None:
                        cell = sheet.cell(row=r, column=column, value=float(record["_value"]))
                        cell.number_format = "#,##0" if record["_decimals"] == 0 else "#,##0." + "0" * int(record["_decimals"])
                    else:
                        text_cell(sheet, r, column, value).alignment = right
                elif name == "unit":
                    text_cell(sheet, r, column, UNIT_LABELS.get(value, value))
                elif isinstance(value, (int, float)) and value is not None:
                    sheet.cell(row=r, column=column, value=float(value)).number_format = "#,##0.##"
                elif value is not None:
                    text_cell(sheet, r, column, value if isinstance(value, str) else str(value))
        last = header_row + len(rows)
        if not rows:
            text_cell(sheet, header_row + 1, 1, "No figures for this priority yet.")
            last += 1
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        if rows:
            sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(SHEET_COLUMNS))}{last}"
        footnote = last + 2
        text_cell(sheet, footnote, 1, "Symbols", bold)
        for symbol, meaning in SYMBOLS.items():
            footnote += 1
            text_cell(sheet, footnote, 1, symbol)
            text_cell(sheet, footnote, 2, meaning)
        footnote += 2
        text_cell(sheet, footnote, 1, "Definitions", bold)
        for measure_id in sorted({r[0] for r in rows}):
            name, definition, unit, polarity = definitions.get(measure_id, (None, None, None, None))
            footnote += 1
            text_cell(sheet, footnote, 1, measure_id)
            text_cell(sheet, footnote, 2, " ".join(part for part in (f"{name}." if name else None, definition, polarity) if part) or "Not in the catalogue.")
        for column, width in zip("ABCDEFGHIJKL", (24, 40, 22, 30, 20, 16, 22, 12, 24, 12, 12, 60)):
            sheet.column_dimensions[column].width = width

    path = folder / WORKBOOK_NAME
    workbook.save(path)
    return path


def verify_exports(con: duckdb.DuckDBPyConnection, folder: Path, marts: pd.DataFrame, rules: Rules) -> None:
    """Read every export back and compare it with the published tables; raise ExportError."""
    select = _neutralised_select(con, "published.outcome_measures")
    expected = con.execute(select).df()
    problems: list[str] = []
    columns = [r[0] for r in con.execute("describe published.outcome_measures").fetchall()]
    csv_source = f"read_csv('{folder / CSV_NAME}', header = true, all_varchar = true)"
    parquet_source = f"read_parquet('{folder / PARQUET_NAME}')"
    as_text = ", ".join(f"cast({c} as varchar) as {c}" for c in columns)

    def differences(left: str, right: str) -> int:
        a, b = f"select * from ({left})", f"select * from ({right})"
        return con.execute(f"select (select count(*) from ({a} except all {b})) + (select count(*) from ({b} except all {a}))").fetchall()[0][0]

    for name, source, comparable in (
        ("CSV", csv_source, f"select {as_text} from ({select})"),
        ("Parquet", parquet_source, select),
    ):
        found = [r[0] for r in con.execute(f"describe select * from {source}").fetchall()]
        if found != columns:
            problems.append(f"{name} columns {found} differ from published.outcome_measures")
            continue
        different = differences(f"select * from {source}", comparable)
        if different:
            problems.append(f"{name} differs from published.outcome_measures in {different} rows")
    from_csv = con.execute(f"select * from {csv_source}").df()
    from_parquet = con.execute(f"select * from {parquet_source}").df()
    for name, frame in (("CSV", from_csv), ("Parquet", from_parquet)):
        for column in frame.columns:
            live = [v for v in frame[column].dropna() if isinstance(v, str) and v.startswith(FORMULA_PREFIXES)]
            if live:
                problems.append(f"{name} column {column} has a cell a spreadsheet would run as a formula: {live[0]!r}")

    # The audit on what the CSV shows: numbers parsed back from the text a reader downloads.
    if not problems and len(expected):
        shown = from_csv.copy()
        for column in ("measure_id", "area_code", "period_type", "period_label", "statistic", "breakdown", "breakdown_value"):
            shown[column] = shown[column].map(restore)
        for column in ("numerator", "denominator", "value"):
            shown[column] = pd.to_numeric(shown[column].replace("", None))
        found = failures(audit(marts, shown, rules))
        if not found.empty:
            first = found.iloc[0]
            problems.append(f"the CSV gives away a suppressed count ({first['check']}): {first['measure_id']} / {first['area_code']} / {first['period_label']} / {first['statistic']} {first['detail']}")

    problems += _verify_workbook(con, folder / WORKBOOK_NAME)
    if problems:
        raise ExportError("The exports do not match the published tables: " + "; ".join(problems))


def _verify_workbook(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    from openpyxl import load_workbook

    problems = []
    workbook = load_workbook(path, read_only=True)
    try:
        tables = priority_tables()
        expected_sheets = 2 + len(tables)
        if len(workbook.sheetnames) != expected_sheets or workbook.sheetnames[:2] != ["Cover", "Notes"]:
            problems.append(f"workbook sheets are {workbook.sheetnames}")
            return problems
        figure_column = [name for _, name in SHEET_COLUMNS].index("value_published")
        for sheet_name, table in zip(workbook.sheetnames[2:], tables):
            published = con.execute(f"select value_published, value from published.{table.table} order by {ORDER}").fetchall()
            rows = list(workbook[sheet_name].iter_rows(min_row=5, max_row=4 + len(published), values_only=True))
            for (text, value), row in zip(published, rows):
                shown = row[figure_column]
                if value is None and shown != text:
                    problems.append(f"sheet {sheet_name} shows {shown!r} where the published figure is {text!r}")
                    break
                if value is not None and (not isinstance(shown, (int, float)) or abs(float(shown) - float(value)) > 1e-9):
                    problems.append(f"sheet {sheet_name} shows {shown!r} where the published figure is {value!r}")
                    break
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for cell in row:
                    if isinstance(cell, str) and cell.startswith("="):
                        problems.append(f"sheet {sheet.title} holds a formula: {cell[:40]!r}")
                        return problems
    finally:
        workbook.close()
    return problems
