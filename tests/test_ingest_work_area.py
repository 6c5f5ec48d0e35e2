"""A file too big for DuckDB's memory is worked on in a scratch database (pipelines/ingest/work_area.py).

The benchmark's national-volume files take that path; the test suite's files are small, so these
tests lower the threshold and load the hand-written messy file both ways.
"""

from __future__ import annotations

from contextlib import contextmanager

import duckdb
import pytest

from pipelines.ingest import load, work_area
from pipelines.ingest.errors import IngestError
from tests.ingest_helpers import HEADER, connect, deliver, ingest
from tests.test_ingest import MESSY

RESULTS = {
    "raw": "select * exclude (_source_file) from raw.testsrc__people order by _source_row",
    "quarantine": "select * exclude (logged_at) from dq.quarantine order by excel_row, column_name",
    "value_issues": "select * exclude (logged_at) from dq.value_issues order by excel_row, column_name",
    "ingest_log": "select rows_in, rows_staged, rows_quarantined, values_blanked, status from dq.ingest_log",
    "file_issues": "select * exclude (logged_at) from dq.file_issues order by issue, detail",
    "archive_manifest": "select source, extract_id, file_name, sha256, bytes from dq.archive_manifest",
}


def _attached(con) -> list[str]:
    return [r[0] for r in con.execute("select database_name from duckdb_databases() where not internal").fetchall()]


def _load(root, monkeypatch, *, scratch: bool, content: bytes | str = MESSY) -> tuple[dict, list]:
    if scratch:  # any file is "too big": a tiny file takes the path an 8 GB census takes
        monkeypatch.setattr(work_area, "WORK_BYTES_PER_FILE_BYTE", 10**12)
    used = []
    real = load.work_area

    @contextmanager
    def recording(*args, **kwargs):
        with real(*args, **kwargs) as area:
            used.append(area)
            yield area

    monkeypatch.setattr(load, "work_area", recording)
    extract, path = deliver(root, content)
    con = connect(root)
    ingest(con, root, extract, path)
    results = {name: con.execute(sql).fetchall() for name, sql in RESULTS.items()}
    results["attached"] = _attached(con)
    con.close()
    monkeypatch.undo()
    return results, used


def test_the_scratch_database_loads_exactly_what_memory_loads(tmp_path, monkeypatch):
    in_memory, used_memory = _load(tmp_path / "memory", monkeypatch, scratch=False)
    in_scratch, used_scratch = _load(tmp_path / "scratch", monkeypatch, scratch=True)
    assert used_memory == [work_area.IN_MEMORY] and used_scratch == [work_area.SCRATCH]
    assert in_memory["ingest_log"] == [(11, 4, 7, 4, "loaded")]  # the messy file's worked answer
    for name in RESULTS:
        assert in_scratch[name] == in_memory[name], name
    # Detached and deleted: the scratch database held the file's personal data.
    assert work_area.SCRATCH_CATALOG not in in_scratch["attached"]
    assert not any((tmp_path / "scratch" / "work" / "ingest_scratch").iterdir())


def test_a_file_read_twice_lands_the_same_way_twice(tmp_path, monkeypatch):
    """A file whose first block reads as UTF-8 and a later byte does not is landed again from a
    UTF-8 copy: in the scratch database the second landing replaces the first, and the rows,
    quarantine, issues and log are those of the same file loaded in memory."""
    filler = "".join(f"207,F{i},Ann,F,2010-06-15,2023-04-01,1,x,,\n" for i in range(4000))  # past the first block
    content = MESSY.encode("utf-8") + filler.encode("utf-8") + "207,P9,Zoë,F,2010-06-15,2023-04-01,1,x,,\n".encode("cp1252")
    in_memory, _ = _load(tmp_path / "memory", monkeypatch, scratch=False, content=content)
    in_scratch, used = _load(tmp_path / "scratch", monkeypatch, scratch=True, content=content)
    assert used == [work_area.SCRATCH]
    assert in_memory["ingest_log"] == [(4012, 4005, 7, 4, "loaded")]
    for name in RESULTS:
        assert in_scratch[name] == in_memory[name], name
    assert not any((tmp_path / "scratch" / "work" / "ingest_scratch").iterdir())


def test_a_file_that_fails_in_the_scratch_database_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(work_area, "WORK_BYTES_PER_FILE_BYTE", 10**12)
    unterminated = HEADER + '\n207,P1,"Ann,F,2010-06-15,2023-04-01,1,x,\n207,P2,Bob,M,2010-06-15,2023-04-01,1,x,\n'
    extract, path = deliver(tmp_path, unterminated)
    con = connect(tmp_path)
    with pytest.raises(IngestError, match="never closed"):
        ingest(con, tmp_path, extract, path)
    attached = _attached(con)
    assert work_area.SCRATCH_CATALOG not in attached
    assert not any((tmp_path / "work" / "ingest_scratch").iterdir())
    assert con.execute("select count(*) from dq.ingest_log").fetchall()[0][0] == 0
    con.close()


def test_a_scratch_database_left_by_a_crash_is_replaced_not_reused(tmp_path, monkeypatch):
    monkeypatch.setattr(work_area, "WORK_BYTES_PER_FILE_BYTE", 10**12)
    left = tmp_path / "work" / "ingest_scratch" / "testsrc_people.duckdb"
    left.parent.mkdir(parents=True)
    with duckdb.connect(str(left)) as crashed:  # a run killed mid-load left its landed table
        crashed.execute("create table landed_testsrc_people as select 'stale' as la_code")
    extract, path = deliver(tmp_path, MESSY)
    con = connect(tmp_path)
    result = ingest(con, tmp_path, extract, path)
    assert (result.rows_in, result.rows_staged) == (11, 4)
    assert not left.exists()
    con.close()


def test_an_interruption_mid_transaction_is_what_is_raised_and_leaves_nothing_behind(tmp_path, monkeypatch):
    # Dagster stops a run by raising an exception that is not an Exception, here at the archive
    # step, inside the transaction that writes the raw table.
    monkeypatch.setattr(work_area, "WORK_BYTES_PER_FILE_BYTE", 10**12)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(load, "_archive", interrupted)
    extract, path = deliver(tmp_path, MESSY)
    con = connect(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        ingest(con, tmp_path, extract, path)
    attached = _attached(con)
    assert work_area.SCRATCH_CATALOG not in attached
    assert not any((tmp_path / "work" / "ingest_scratch").iterdir())
    # Rolled back, and the connection is usable: no transaction was left open.
    assert con.execute("select count(*) from dq.ingest_log").fetchall()[0][0] == 0
    assert con.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchall()[0][0] == 0
    con.execute("begin transaction")
    con.execute("rollback")
    con.close()


@pytest.mark.parametrize("limit", ["-1", "none"])
def test_an_unlimited_memory_keeps_every_file_in_memory(limit):
    with duckdb.connect() as con:
        con.execute(f"set memory_limit = '{limit}'")
        assert work_area.memory_limit_bytes(con) > 10**15
        assert not work_area.needs_scratch(con, 50 * 10**9)


@pytest.mark.parametrize("limit", ["4GB", "500MB", "2GiB"])
def test_the_threshold_follows_duckdbs_memory_limit(limit):
    with duckdb.connect(config={"memory_limit": limit}) as con:
        limit_bytes = work_area.memory_limit_bytes(con)
        expected = {"4GB": 4e9, "500MB": 500e6, "2GiB": 2 * 2**30}[limit]
        assert abs(limit_bytes - expected) / expected < 0.02  # DuckDB reports it rounded, in GiB/MiB
        fits = int(limit_bytes / work_area.WORK_BYTES_PER_FILE_BYTE) - 1
        assert not work_area.needs_scratch(con, fits)
        assert work_area.needs_scratch(con, fits * 2)


def test_running_out_of_memory_is_not_blamed_on_the_file(tmp_path):
    extract, path = deliver(tmp_path, HEADER + "\n" + "207,P1,Ann,F,2010-06-15,2023-04-01,1,x,\n" * 20000)
    con = connect(tmp_path)
    con.execute("set memory_limit = '1MB'")
    with pytest.raises(IngestError) as caught:
        ingest(con, tmp_path, extract, path)
    message = str(caught.value)
    assert "ran out of memory" in message and "OUTCOMES_DUCKDB_MEMORY_LIMIT" in message
    assert "complete CSV export" not in message
    con.close()


def test_a_sources_ingest_first_deletes_scratch_databases_a_killed_run_left(settings):
    from pipelines.ingest.run import ingest_source
    from tests.ingest_helpers import people_contract

    left = [settings.work_dir / "ingest_scratch" / name for name in ("othersrc_visits.duckdb", "othersrc_visits.duckdb.wal")]
    left[0].parent.mkdir(parents=True)
    for path in left:
        path.write_bytes(b"personal data")
    deliver(settings.data_dir, MESSY)
    con = connect(settings.data_dir)
    outcome = ingest_source(con, settings, people_contract(), "testsrc")
    assert outcome.latest("people").rows_staged == 4
    assert not any(path.exists() for path in left)
    con.close()
