"""Ingest against a hand-written messy file: every behaviour of issue 6, answers worked by hand."""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import json
import threading
import uuid

import duckdb
import pytest

from pipelines.contracts.model import Column, TableContract
from pipelines.ingest import files
from pipelines.ingest.errors import IngestError
from pipelines.ingest.files import ScanStopped, scan_file
from pipelines.ingest.pseudonym_upgrade import upgrade_pseudonym_columns
from pipelines.privacy.pseudonymise import PSEUDONYM_MEMO, install_sql_macro, pseudonym
from tests.ingest_helpers import HEADER, KEY, PEOPLE, connect, deliver, ingest

# Two title rows and a row of commas above the header; header names in another case and
# spacing, one unknown column. Rows as a person sees them in Excel (header on row 4):
MESSY = (
    "Children's services report,,,\n"
    "Run on 15/05/2023,,,\n"
    ",,,,,,,,,\n"
    "LA_Code,Person ID,Forename,Sex,DOB,Start Date,Visits,Case Ref,Postcode,Extra Notes\n"
    '207,P1,Ann,F,15/06/2010,01/04/2023,"1,234",00123,W10 5AB,note\n'  # 5  staged; 1234 visits; zeros kept
    "207,P2,Bob,Male,2012-03-01,2023-04-02,3,0042,not a postcode,x\n"  # 6  staged; postcode blanked
    "207,P3,Cat,X,1/2/2011,2023-04-03,2.5,7,,\n"  # 7  staged; sex and visits blanked
    "207,P4,Dan,F,2015-01-01,2023-06-01,,,,\n"  # 8  quarantined: start after the extract date
    "207,,Eve,F,2015-01-01,2023-04-01,,,,\n"  # 9  quarantined: no person id
    "207,P5,Fay,F,2024-01-01,2023-04-01,,,,\n"  # 10 quarantined: row rule dob_before_start
    '207,P1,Ann,F,15/06/2010,01/04/2023,"1,234",00123,W10 5AB,note\n'  # 11 exact duplicate of 5
    "207,P2,Bob,M,2012-03-01,2023-04-02,4,0042,,x\n"  # 12 duplicate key of 6
    "207,P6,Gus,F,2014-02-02,2023-04-04,1,2,3,4,5\n"  # 13 ragged: 11 cells for 10 columns
    ",,,,,,,,,\n"  # 14 blank row
    '207,P7,=HYPERLINK("http://x.example"),F,2014-02-02,23/04/15,1,=1+1,,\n'  # 15 staged; case_ref blanked
)
# rows in = 11 (rows 5-15); quarantined = 8, 9, 10, 11, 12, 13, 14 = 7; staged = 5, 6, 7, 15 = 4.
# Blanked: postcode (6), sex and visits (7), case_ref (15) = 4. Forename never loads, so the
# formula in it is not "blanked": it is simply never read into the warehouse.


@pytest.fixture
def messy(tmp_path):
    extract, path = deliver(tmp_path, MESSY)
    con = connect(tmp_path)
    result = ingest(con, tmp_path, extract, path)
    yield con, result, path
    con.close()


def test_row_accounting(messy):
    con, result, _ = messy
    assert (result.rows_in, result.rows_staged, result.rows_quarantined, result.values_blanked) == (11, 4, 7, 4)
    assert con.execute("select count(*) from raw.testsrc__people").fetchall()[0][0] == 4
    assert result.header_row == 4
    assert result.unknown_columns == ["extra_notes"]


def test_quarantine_names_row_column_value_and_reason(messy):
    con, _, _ = messy
    rows = con.execute("select excel_row, column_name, value, rule, reason from dq.quarantine order by excel_row").fetchall()
    assert rows == [
        (8, "start_date", "2023-06-01", "required", "required value invalid: date after the extract date"),
        (9, "person_id", "[withheld: personal data]", "required", "required value missing"),
        (10, "dob", "[withheld: personal data]", "dob_before_start", "Born after the start date."),
        (11, "person_id", None, "exact_duplicate", "exact duplicate of row 5"),
        (12, "person_id", None, "duplicate_key", "duplicate primary key: same person_id as row 6, different values"),
        (13, None, None, "unreadable_row", "too many columns: Expected Number of Columns"),
        (14, "", None, "blank_row", "the row is empty"),
    ]


def test_values_conformed_and_blanked(messy):
    con, _, _ = messy
    got = con.execute("select _source_row, sex, dob, start_date, visits, case_ref, postcode from raw.testsrc__people order by _source_row").fetchall()
    assert [(r[0], r[1], str(r[2]), str(r[3]), r[4], r[5], r[6]) for r in got] == [
        (5, "F", "2010-06-15", "2023-04-01", 1234, "00123", "W10 5"),  # thousands separator, leading zeros, postcode sector
        (6, "M", "2012-03-01", "2023-04-02", 3, "0042", None),  # 'Male' -> M; bad postcode blanked
        (7, None, "2011-02-01", "2023-04-03", None, "7", None),  # X is no sex code; 2.5 is no whole number
        (15, "F", "2014-02-02", "2015-04-23", 1, None, None),  # two-digit year 15 -> 2015; formula blanked
    ]
    issues = con.execute("select excel_row, column_name, value, reason from dq.value_issues order by excel_row, column_name").fetchall()
    assert issues == [
        (6, "postcode", "[withheld: personal data]", "not a valid UK postcode"),
        (7, "sex", "[withheld: personal data]", "not a sex code valid in collection year 2024"),  # May 2023 is in 2023-24
        (7, "visits", "2.5", "not a whole number"),
        # shown behind an apostrophe so a spreadsheet opening the log does not run it
        (15, "case_ref", "'=1+1", "looks like a spreadsheet formula (possible formula injection)"),
    ]


def test_identifiers_pseudonymised_and_names_never_loaded(messy):
    con, _, _ = messy
    ids = [r[0] for r in con.execute("select person_id from raw.testsrc__people order by _source_row").fetchall()]
    assert ids == [pseudonym(KEY, "mosaic_person", p) for p in ("P1", "P2", "P3", "P7")]
    columns = {r[0] for r in con.execute("select column_name from information_schema.columns where table_name = 'testsrc__people'").fetchall()}
    assert "forename" not in columns
    # No name, raw id or full postcode anywhere in the build database, as another connection
    # sees it (the loading connection's own memo of pseudonyms holds ids until its source is done:
    # test_the_memo_of_identifiers_is_gone_when_a_source_has_loaded).
    db = con.cursor()
    for schema, table in db.execute("select table_schema, table_name from information_schema.tables").fetchall():
        text = db.execute(f'select coalesce(string_agg(cast(t as varchar), chr(10)), \'\') from "{schema}"."{table}" t').fetchall()[0][0]
        for secret in ("Ann", "Gus", "HYPERLINK", "W10 5AB", "'P1'", "P7"):
            assert secret not in text, f"{secret} found in {schema}.{table}"


def test_duplicate_keys_are_judged_on_the_delivered_ids_not_their_pseudonyms(tmp_path):
    """Duplicate keys are looked for in the raw table, where a person id is its pseudonym, which
    is the same for ids that differ only in case. The ids as delivered decide: p8 and P8 are two
    keys, as they were before ingest wrote the raw table in one pass."""
    extract, path = deliver(tmp_path, HEADER + "\n" + (
        "207,p8,A,F,2010-01-01,2023-04-01,,,\n"  # 2 staged
        "207,P8,B,F,2010-01-01,2023-04-01,,,\n"  # 3 staged: another id as delivered, the same pseudonym
        "207,P9,C,F,2024-01-01,2023-04-01,,,\n"  # 4 quarantined by the row rule, still its key's first row
        "207,P9,C,F,2010-01-01,2023-04-01,,,\n"  # 5 duplicate key of 4
        "207,P9,C,F,2010-01-01,2023-04-01,,,\n"  # 6 exact duplicate of 5, yet judged against 4
    ))
    con = connect(tmp_path)
    result = ingest(con, tmp_path, extract, path)
    assert (result.rows_in, result.rows_staged, result.rows_quarantined) == (5, 2, 3)
    staged = con.execute("select _source_row, person_id from raw.testsrc__people order by _source_row").fetchall()
    assert [r[0] for r in staged] == [2, 3] and staged[0][1] == staged[1][1] == pseudonym(KEY, "mosaic_person", "P8")
    assert con.execute("select excel_row, rule, reason from dq.quarantine order by excel_row").fetchall() == [
        (4, "dob_before_start", "Born after the start date."),
        (5, "duplicate_key", "duplicate primary key: same person_id as row 4, different values"),
        (6, "duplicate_key", "duplicate primary key: same person_id as row 4, different values"),
    ]
    # The working columns are empty in every row kept, and no work table outlives the load (the
    # connection's memo of pseudonyms stays for the source's next file).
    assert con.execute("select count(*) from raw.testsrc__people where _quarantine is not null").fetchall()[0][0] == 0
    assert con.execute("select table_name from duckdb_tables() where database_name = 'temp'").fetchall() == [("pseudonym_memo",)]
    con.close()


def test_the_working_columns_are_json_text_that_reads_back_exactly(tmp_path):
    """A row's blanked values stay in the raw table's `_issues` as JSON text, and the logs read
    them back from it: quotes, a backslash, a comma and letters beyond ASCII come out as they
    went in."""
    awkward = '2"5\\ é,7'
    extract, path = deliver(tmp_path, HEADER + "\n" + '207,P1,A,F,2010-01-01,2023-04-01,"2""5\\ é,7",,\n')
    con = connect(tmp_path)
    result = ingest(con, tmp_path, extract, path)
    assert (result.rows_staged, result.values_blanked) == (1, 1)
    assert con.execute("select column_name, value, reason from dq.value_issues").fetchall() == [("visits", awkward, "not a whole number")]
    types = dict(con.execute("select column_name, data_type from information_schema.columns where table_name = 'testsrc__people'").fetchall())
    assert (types["_quarantine"], types["_issues"]) == ("VARCHAR", "VARCHAR")
    (kept,) = con.execute("select _issues from raw.testsrc__people").fetchall()[0]
    assert json.loads(kept) == [{"column_name": "visits", "value": awkward, "rule": "conformance", "reason": "not a whole number", "action": "blanked"}]
    con.close()


def test_working_columns_of_an_older_warehouse_become_json_text(tmp_path):
    """Before item 47 the working columns were a struct and a list of structs. A raw table of
    then is converted on its next load, and a kept row's issues say what they said."""
    con = connect(tmp_path)
    con.execute(
        f"create table raw.testsrc__people {OLD_LAYOUT[:-1]}, _quarantine STRUCT(rule VARCHAR, reason VARCHAR, column_name VARCHAR, value VARCHAR), "
        "_issues STRUCT(column_name VARCHAR, value VARCHAR, rule VARCHAR, reason VARCHAR, action VARCHAR)[])"
    )
    con.execute(
        "insert into raw.testsrc__people values (null, 'F', '2023-04-15', date '2023-04-15', 'people.csv', 2, null, "
        "[{'column_name': 'sex', 'value': 'X', 'rule': 'conformance', 'reason': 'not a sex code', 'action': 'blanked'}])"
    )
    ingest(con, tmp_path, *deliver(tmp_path, HEADER + "\n207,P1,Ann,F,,2023-05-01,,,\n"))
    types = dict(con.execute("select column_name, data_type from information_schema.columns where table_name = 'testsrc__people'").fetchall())
    assert (types["_quarantine"], types["_issues"]) == ("VARCHAR", "VARCHAR")
    rows = con.execute("select _extract_id, _quarantine, _issues from raw.testsrc__people order by _extract_id").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("2023-04-15", None), ("2023-05-15", None)]
    assert json.loads(rows[0][2]) == [{"column_name": "sex", "value": "X", "rule": "conformance", "reason": "not a sex code", "action": "blanked"}]
    assert rows[1][2] is None
    con.close()


WIDE = TableContract(
    source="testsrc", table="wide", description="Population by area, one column per year.", file_pattern="wide*.csv",
    grain="One row per area.", primary_key=("area",), columns=(Column("area", "id", "Area.", required=True),),
    unpivot={"columns": "pop_(\\d{4})(_revised)?", "name": "year", "value": "population", "type": "integer"},
)


def test_a_wide_file_loads_one_row_per_year_and_counts_each_delivered_row_once(tmp_path):
    extract, path = deliver(tmp_path, "area,pop_2021,pop_2022\nA,1,2\nB,x,4\nA,5,6\n", name="wide.csv")
    con = connect(tmp_path)
    result = ingest(con, tmp_path, extract, path, WIDE)
    assert (result.rows_in, result.rows_staged, result.rows_quarantined, result.values_blanked) == (3, 2, 1, 1)
    assert con.execute("select area, year, population from raw.testsrc__wide order by all").fetchall() == [
        ("A", 2021, 1), ("A", 2022, 2), ("B", 2021, None), ("B", 2022, 4),
    ]
    assert con.execute("select excel_row, rule from dq.quarantine").fetchall() == [(4, "duplicate_key")]
    assert con.execute("select excel_row, column_name, value from dq.value_issues").fetchall() == [(3, "pop_2021", "x")]
    con.close()


def test_wide_columns_that_give_the_same_year_fail_the_file(tmp_path):
    extract, path = deliver(tmp_path, "area,pop_2021,pop_2021_revised\nA,1,2\n", name="wide.csv")
    con = connect(tmp_path)
    with pytest.raises(IngestError, match="same year"):
        ingest(con, tmp_path, extract, path, WIDE)
    con.close()


def test_file_issues_report_unknown_column_and_header_position(messy):
    con, _, _ = messy
    issues = dict(con.execute("select issue, detail from dq.file_issues").fetchall())
    assert issues["unknown_column"] == "column 'extra_notes' is not in the contract; not loaded"
    assert issues["header_not_first_row"] == "header found on row 4"


BODY = HEADER + "\n207,P1,Zoë,F,2010-06-15,2023-04-01,1,Zoë-1,SW3 1AA\n"


@pytest.mark.parametrize(
    "encoded,encoding",
    [
        (BODY.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + BODY.encode("utf-8"), "utf-8-sig"),
        (BODY.encode("cp1252"), "cp1252"),
        (BODY.encode("utf-16"), "utf-16"),  # with byte-order mark
        (BODY.encode("utf-16-le"), "utf-16-le"),  # Excel "Unicode text" without one
        # 300 KB of ASCII rows first: sniffing the first block alone would call this UTF-8.
        ((HEADER + "\n" + "".join(f"207,Q{i},A,F,2010-06-15,2023-04-01,1,x{i},\n" for i in range(8000)) + BODY.split("\n", 1)[1]).encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16-bom", "utf16le-no-bom", "cp1252-late"],
)
def test_encodings(tmp_path, encoded, encoding):
    extract, path = deliver(tmp_path, encoded)
    con = connect(tmp_path)
    result = ingest(con, tmp_path, extract, path)
    assert result.encoding == encoding
    assert result.rows_quarantined == 0
    assert con.execute("select case_ref from raw.testsrc__people where case_ref like 'Z%'").fetchall() == [("Zoë-1",)]
    # The transcoded working copy holds personal data; it is gone once the file is loaded.
    assert not list((tmp_path / "work").rglob("*.csv"))
    con.close()


@pytest.mark.parametrize(
    "blocks,valid,first_bad_byte",
    [
        ([b"abcd", b"efgh", b"ij"], True, None),
        # "é" (c3 a9) split across two blocks, then an ASCII block: valid.
        ([b"abc\xc3", b"\xa9def", b"ghij"], True, None),
        # A lead byte left open at the end of a block, then an ASCII block: the ASCII block
        # must still be decoded, or the broken character would pass.
        ([b"abc\xc3", b"defg", b"hijk"], False, 3),
        # ASCII blocks, then a Windows-1252 "é" (e9) two blocks in.
        ([b"abcd", b"efgh", b"ij\xe9k"], False, 10),
        # A character cut off by the end of the file.
        ([b"abcd", b"ef\xc3"], False, 6),
    ],
    ids=["ascii", "split-character", "open-character-then-ascii", "late-cp1252", "cut-at-end"],
)
def test_the_checksum_pass_finds_the_first_byte_that_is_not_utf8(tmp_path, blocks, valid, first_bad_byte):
    """The pass skips decoding a block that is plain ASCII; block boundaries must not change the verdict."""
    path = tmp_path / "extract.csv"
    path.write_bytes(b"".join(blocks))
    scan = scan_file(path, chunk=4, copy_to=tmp_path / "copy.csv")
    assert (scan.valid_utf8, scan.first_bad_byte) == (valid, first_bad_byte)
    assert scan.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (tmp_path / "copy.csv").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("kernel_copy", [True, False], ids=["copy_file_range", "written-from-blocks"])
def test_the_archive_copy_is_the_file_whichever_way_it_is_made(tmp_path, monkeypatch, kernel_copy):
    monkeypatch.setattr(files, "_KERNEL_COPY", kernel_copy and files._KERNEL_COPY)
    path = tmp_path / "extract.csv"
    path.write_bytes(bytes(range(256)) * 1000 + b"tail")  # blocks of 4096 bytes and a short last one
    scan = scan_file(path, chunk=4096, copy_to=tmp_path / "copy.csv")
    assert (tmp_path / "copy.csv").read_bytes() == path.read_bytes()
    assert scan.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and scan.bytes == 256_004


def test_the_checksum_pass_stops_when_told(tmp_path):
    """The pass runs beside DuckDB's read; a load that fails tells it to stop at its next block."""
    path = tmp_path / "extract.csv"
    path.write_bytes(b"abcd" * 10)
    stop = threading.Event()
    stop.set()
    with pytest.raises(ScanStopped):
        scan_file(path, chunk=4, copy_to=tmp_path / "copy.csv", stop=stop)


def test_a_file_that_fails_while_it_is_read_leaves_no_copy_behind(tmp_path):
    # The header names every column but a row has a quote that is never closed: DuckDB's read
    # fails while the checksum pass copies the file for the archive.
    extract, path = deliver(tmp_path, HEADER + "\n207,P1,Ann,F,2010-06-15,2023-04-01,1,\"x1,\n207,P2,Bo,M,2011-01-01,2023-04-01,1,x2,\n")
    con = connect(tmp_path)
    with pytest.raises(IngestError, match="never closed"):
        ingest(con, tmp_path, extract, path)
    assert not any((tmp_path / "work" / "archiving").glob("*"))
    assert not (tmp_path / "archive").exists() or not any((tmp_path / "archive").rglob("*.csv"))
    con.close()


def test_same_file_twice_changes_nothing_and_a_changed_file_supersedes(tmp_path):
    extract, path = deliver(tmp_path, MESSY)
    con = connect(tmp_path)
    first = ingest(con, tmp_path, extract, path)

    def state():
        return [con.execute(f"select count(*), sum(hash(t)) from {t} t").fetchall()[0] for t in ("raw.testsrc__people", "dq.quarantine", "dq.value_issues", "dq.ingest_log", "dq.archive_manifest")]

    before = state()
    again = ingest(con, tmp_path, extract, path)
    assert (first.status, again.status) == ("loaded", "unchanged")
    assert state() == before
    # Written again with the same bytes (copied over itself): its stat data moved, so it is
    # checksummed, before it is read, and found unchanged.
    path.write_bytes(path.read_bytes())
    assert ingest(con, tmp_path, extract, path).status == "unchanged"
    assert state() == before

    # The council re-sends the extract with one row fixed (row 9 gets its id).
    changed = MESSY.replace("207,,Eve", "207,P8,Eve")
    path.write_text(changed)
    redo = ingest(con, tmp_path, extract, path)
    assert (redo.rows_staged, redo.rows_quarantined) == (5, 6)
    assert con.execute("select count(*) from raw.testsrc__people").fetchall()[0][0] == 5  # replaced, not added
    assert con.execute("select status from dq.ingest_log order by loaded_at").fetchall() == [("superseded",), ("loaded",)]
    # Both versions are archived unchanged, each with its checksum in SHA256SUMS.
    folder = tmp_path / "archive" / "testsrc" / "2023-05-15"
    sums = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert len(sums) == 2
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert (folder / "people.csv").read_text() == MESSY
    # No copy taken for the archive is left behind.
    assert not any((tmp_path / "work" / "archiving").glob("*"))

    # Re-sent once more, the same size with one byte changed: checksummed first (a file of this
    # size was seen), then loaded all the same.
    same_size = changed.replace("207,P8,Eve", "207,P9,Eve")
    assert len(same_size) == len(changed)
    path.write_text(same_size)
    last = ingest(con, tmp_path, extract, path)
    assert last.status == "loaded"
    assert con.execute("select count(*) from raw.testsrc__people").fetchall()[0][0] == 5
    assert con.execute("select status from dq.ingest_log order by loaded_at").fetchall() == [("superseded",), ("superseded",), ("loaded",)]
    con.close()


OLD_LAYOUT = "(person_id varchar, sex varchar, _extract_id varchar, _extract_date date, _source_file varchar, _source_row bigint)"


def test_text_pseudonyms_of_an_older_warehouse_become_the_uuids_ingest_now_writes(tmp_path):
    """A warehouse built when pseudonyms were 24 hex characters of text keeps linking: each is
    converted in place to the UUID of the 96 bits it spells, which ingest writes for the same id."""
    con = connect(tmp_path)
    con.execute(f"create table raw.testsrc__people {OLD_LAYOUT}")
    old_p1 = pseudonym(KEY, "mosaic_person", "P1").hex[:24]
    con.execute("insert into raw.testsrc__people values (?, 'F', '2023-04-15', date '2023-04-15', 'people.csv', 2), (null, 'M', '2023-04-15', date '2023-04-15', 'people.csv', 3)", [old_p1])

    assert upgrade_pseudonym_columns(con, [PEOPLE]) == ["testsrc__people.person_id"]
    assert upgrade_pseudonym_columns(con, [PEOPLE]) == []  # once converted, nothing to do
    ingest(con, tmp_path, *deliver(tmp_path, HEADER + "\n207,P1,Ann,F,,2023-05-01,,,\n"))

    types = dict(con.execute("select column_name, data_type from information_schema.columns where table_name = 'testsrc__people'").fetchall())
    assert types["person_id"] == "UUID"
    rows = con.execute("select _extract_id, person_id from raw.testsrc__people order by _extract_id, _source_row").fetchall()
    assert rows == [("2023-04-15", pseudonym(KEY, "mosaic_person", "P1")), ("2023-04-15", None), ("2023-05-15", pseudonym(KEY, "mosaic_person", "P1"))]


def test_pseudonyms_stored_as_numbers_for_an_hour_become_uuids_too(tmp_path):
    """Commit 325f6ac stored pseudonyms as DECIMAL(29,0); a warehouse built then converts too,
    including a pseudonym whose first byte is zero."""
    con = connect(tmp_path)
    con.execute(f"create table raw.testsrc__people {OLD_LAYOUT.replace('person_id varchar', 'person_id decimal(29,0)')}")
    p1, leading_zero = pseudonym(KEY, "mosaic_person", "P1"), uuid.UUID(bytes=bytes(1) + bytes(range(1, 12)) + bytes(4))
    con.execute(
        "insert into raw.testsrc__people values (?, 'F', '2023-04-15', date '2023-04-15', 'people.csv', 2), (?, 'M', '2023-04-15', date '2023-04-15', 'people.csv', 3)",
        [int(p1.hex[:24], 16), int(leading_zero.hex[:24], 16)],
    )
    assert upgrade_pseudonym_columns(con, [PEOPLE]) == ["testsrc__people.person_id"]
    assert [r[0] for r in con.execute("select person_id from raw.testsrc__people order by _source_row").fetchall()] == [p1, leading_zero]

    # A number that cannot be 96 bits of a hash (an id in the clear) stops the conversion.
    con.execute("create table raw.testsrc__families (person_id decimal(29,0))")
    con.execute("insert into raw.testsrc__families values (1000234)")
    with pytest.raises(IngestError, match=r"raw\.testsrc__families\.person_id is a person identifier, but 1 of its values are not pseudonyms"):
        upgrade_pseudonym_columns(con, [dataclasses.replace(PEOPLE, table="families")])


def test_pseudonyms_stored_as_bytes_become_uuids_and_other_bytes_stop_the_conversion(tmp_path):
    """From 17916f2 pseudonyms were 12 bytes: they become the UUID of the same 96 bits. A binary
    value of any other length is not a pseudonym (an id written as bytes), and stops it."""
    con = connect(tmp_path)
    con.execute(f"create table raw.testsrc__people {OLD_LAYOUT.replace('person_id varchar', 'person_id blob')}")
    p1 = pseudonym(KEY, "mosaic_person", "P1")
    con.execute("insert into raw.testsrc__people values (?, 'F', '2023-04-15', date '2023-04-15', 'people.csv', 2)", [p1.bytes[:12]])
    assert upgrade_pseudonym_columns(con, [PEOPLE]) == ["testsrc__people.person_id"]
    assert con.execute("select person_id from raw.testsrc__people").fetchall() == [(p1,)]

    con.execute("create table raw.testsrc__families (person_id blob)")
    con.execute("insert into raw.testsrc__families values (encode('1000234'))")
    with pytest.raises(IngestError, match=r"raw\.testsrc__families\.person_id is a person identifier, but 1 of its values are not pseudonyms"):
        upgrade_pseudonym_columns(con, [dataclasses.replace(PEOPLE, table="families")])
    assert con.execute("select data_type from information_schema.columns where table_name = 'testsrc__families'").fetchall() == [("BLOB",)]


def test_ids_in_the_clear_in_an_older_warehouse_stop_the_conversion_without_showing_them(tmp_path):
    """A column declared a person identifier after its data loaded holds ids in the clear. They
    are not disguised as pseudonyms: nothing is converted, and the error shows no value."""
    families = dataclasses.replace(PEOPLE, table="families")
    con = connect(tmp_path)
    con.execute(f"create table raw.testsrc__people {OLD_LAYOUT}")
    con.execute(f"create table raw.testsrc__families {OLD_LAYOUT}")
    con.execute("insert into raw.testsrc__people values (?, 'F', '2023-04-15', date '2023-04-15', 'people.csv', 2)", [pseudonym(KEY, "mosaic_person", "P1").hex[:24]])
    con.execute("insert into raw.testsrc__families values ('1000234', 'F', '2023-04-15', date '2023-04-15', 'families.csv', 2)")

    with pytest.raises(IngestError, match=r"raw\.testsrc__families\.person_id is a person identifier, but 1 of its values are not pseudonyms") as failed:
        upgrade_pseudonym_columns(con, [PEOPLE, families])
    assert "1000234" not in str(failed.value)
    types = con.execute("select table_name, data_type from information_schema.columns where column_name = 'person_id' order by table_name").fetchall()
    assert types == [("testsrc__families", "VARCHAR"), ("testsrc__people", "VARCHAR")]  # rolled back: both still text


def test_a_new_extract_adds_history(tmp_path):
    con = connect(tmp_path)
    e1, p1 = deliver(tmp_path, BODY, extract_id="2023-05-15")
    e2, p2 = deliver(tmp_path, BODY + "207,P2,Bob,M,2011-01-01,2023-06-01,2,b,\n", extract_id="2023-06-15")
    ingest(con, tmp_path, e1, p1)
    ingest(con, tmp_path, e2, p2)
    assert con.execute("select _extract_id, count(*) from raw.testsrc__people group by 1 order by 1").fetchall() == [("2023-05-15", 1), ("2023-06-15", 2)]
    con.close()


def test_known_identifiers_take_their_pseudonyms_from_the_memo_of_this_key_only(tmp_path):
    # The second extract's P1 is not hashed again (the memo of the first file has it) and gets
    # the same pseudonym; under another key the memo starts empty, so nothing of the first key's
    # pseudonyms carries over.
    con = connect(tmp_path)
    e1, p1 = deliver(tmp_path, BODY, extract_id="2023-05-15")
    e2, p2 = deliver(tmp_path, BODY + "207,P2,Bob,M,2011-01-01,2023-06-01,2,b,\n", extract_id="2023-06-15")
    ingest(con, tmp_path, e1, p1)
    assert con.execute(f"select plain, pseudonym from {PSEUDONYM_MEMO}").fetchall() == [("P1", pseudonym(KEY, "mosaic_person", "P1"))]
    ingest(con, tmp_path, e2, p2)
    assert con.execute(f"select plain from {PSEUDONYM_MEMO} order by plain").fetchall() == [("P1",), ("P2",)]
    other_key = bytes(range(32))
    install_sql_macro(con, other_key)
    assert con.execute(f"select count(*) from {PSEUDONYM_MEMO}").fetchall() == [(0,)]
    e3, p3 = deliver(tmp_path, BODY, extract_id="2023-07-15")
    ingest(con, tmp_path, e3, p3)
    rows = con.execute("select _extract_id, person_id from raw.testsrc__people order by _extract_id, person_id").fetchall()
    p1_first, p2_first = pseudonym(KEY, "mosaic_person", "P1"), pseudonym(KEY, "mosaic_person", "P2")
    assert rows == sorted([("2023-05-15", p1_first), ("2023-06-15", p1_first), ("2023-06-15", p2_first),
                           ("2023-07-15", pseudonym(other_key, "mosaic_person", "P1"))], key=lambda r: (r[0], str(r[1])))
    con.close()


def test_an_identifier_with_no_pseudonym_is_remembered_once(tmp_path):
    # A quoted line break passes as an id but normalises to nothing, so it has no pseudonym. The
    # memo must still hold it once: a second entry would give the third file's row twice.
    con = connect(tmp_path)
    body = HEADER + '\n207,"\n",Ann,F,2010-06-15,2023-04-01,1,x,\n'
    for extract_id in ("2023-05-15", "2023-06-15", "2023-07-15"):
        extract, path = deliver(tmp_path, body, extract_id=extract_id)
        assert ingest(con, tmp_path, extract, path).rows_in == 1
    assert con.execute(f"select count(*), count(pseudonym) from {PSEUDONYM_MEMO}").fetchall() == [(1, 0)]
    con.close()


def test_the_memo_of_identifiers_is_gone_when_a_source_has_loaded(settings):
    from pipelines.contracts.model import load_contract
    from pipelines.ingest.run import ingest_source
    from tests.conftest import copy_fixture

    copy_fixture("tiny", settings)
    con = duckdb.connect(str(settings.warehouse_path))
    outcome = ingest_source(con, settings, load_contract(), "mosaic")
    assert outcome.results and not outcome.failures
    assert con.execute("select count(*) from duckdb_tables() where table_name = 'pseudonym_memo'").fetchall() == [(0,)]
    con.close()


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"", "The file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "Excel workbook saved with a .csv name"),
        (bytes(range(256)) * 8, "NUL bytes"),
        (b"name,address\nAnn,1 High St\n", "No header row found"),
        (b"la_code,forename,sex,dob,visits\n207,Ann,F,2010-01-01,1\n", "Required column(s) missing: person_id, start_date"),
        ((HEADER + '\n207,P1,"Ann,F,2010-06-15,2023-04-01,1,x,\n207,P2,Bob,M,2010-06-15,2023-04-01,1,x,\n').encode(), 'opens a quoted value (") that is never closed'),
    ],
    ids=["empty", "xlsx", "binary", "no-header", "missing-required", "unterminated-quote"],
)
def test_unreadable_files_fail_with_one_clear_message(tmp_path, content, problem):
    extract, path = deliver(tmp_path, content)
    con = connect(tmp_path)
    with pytest.raises(IngestError) as caught:
        ingest(con, tmp_path, extract, path)
    message = str(caught.value)
    assert str(path) in message and problem in message and "What to do:" in message
    # Nothing half-loaded.
    assert con.execute("select count(*) from dq.ingest_log").fetchall()[0][0] == 0
    assert not (tmp_path / "archive").exists()
    # The copy taken while checksumming (personal data) is not left in the work folder.
    assert not any((tmp_path / "work" / "archiving").glob("*"))
    con.close()


def test_missing_file(tmp_path):
    extract, path = deliver(tmp_path, BODY)
    path.unlink()
    con = connect(tmp_path)
    with pytest.raises(IngestError, match="does not exist.*What to do"):
        ingest(con, tmp_path, extract, path)
    con.close()


def test_an_upgrade_that_cannot_go_on_fails_the_ingest_step_once_without_retries(tmp_path, monkeypatch):
    """The upgrade's error is in the data, so the ingest step fails at once, naming the column
    and the remedy, and Dagster does not retry it (a retry would fail the same way, minutes
    later, and bury the message under attempts)."""
    import dagster as dg
    import duckdb

    from pipelines.assets.raw import build_raw_assets
    from pipelines.resources import WarehouseResource
    from pipelines.settings import Settings
    from tests.conftest import TEST_KEY

    monkeypatch.setenv("OUTCOMES_PSEUDONYMISATION_KEY", TEST_KEY)
    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.education__eyfsp_results (upn varchar)")
        con.execute("insert into raw.education__eyfsp_results values ('A123456789012')")

    ingest_ons = next(a for a in build_raw_assets() if a.node_def.name == "ingest_ons")
    result = dg.materialize([ingest_ons], resources={"warehouse": WarehouseResource(data_dir=str(settings.data_dir))}, raise_on_error=False)

    assert not result.success
    kinds = [e.event_type_value for e in result.all_events]
    assert kinds.count("STEP_FAILURE") == 1 and "STEP_UP_FOR_RETRY" not in kinds and "STEP_RESTARTED" not in kinds, kinds
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.message
    assert "raw.education__eyfsp_results.upn is a person identifier" in message and "Rebuild the build database" in message
    error = failure.event_specific_data.error
    while error is not None:  # nor in the errors it was raised from
        assert "A123456789012" not in error.message
        error = error.cause
