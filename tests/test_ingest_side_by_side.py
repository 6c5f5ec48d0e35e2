"""Small tables load two at a time, each on a connection of its own (pipelines/ingest/run.py).

The same landing zone ingested one table at a time and two at a time must give the same build
database: raw rows, pseudonyms, quarantined rows, blanked values and the ingest log. The zone
has two Mosaic extracts (so each table's files must load oldest first), a row that is
quarantined, a value that is blanked and a file that cannot be read at all.
"""

from __future__ import annotations

import threading

import duckdb
import pytest

from pipelines.contracts.model import load_contract
from pipelines.ingest import load as ingest_load
from pipelines.ingest import run as ingest_run
from pipelines.settings import Settings
from tests.conftest import copy_tiny_with_a_june_extract

# What differs between two loads of the same bytes: when, how long it took, and where the copy of
# the landing zone lives on disk (its inodes and file times).
VOLATILE = {"loaded_at", "logged_at", "seconds", "archived_at", "archived_path", "inode", "mtime_ns", "ctime_ns", "checked_at_ns"}


def _landing_zone(settings: Settings) -> None:
    june = copy_tiny_with_a_june_extract(
        settings,
        "213,,Nobody,Example,M,WBRI,2012-12-12",  # no person id: quarantined
        "213,P104,Dee,Example,Q,WBRI,2013-01-01",  # a sex outside the code set: blanked
    )
    (june / "ssd_cp_plans.csv").write_text((june / "ssd_cp_plans.csv").read_text() + '207,"P001,2023-01-01\n')  # never closed


def _ingest(tmp_path, monkeypatch, name: str, side_by_side: int) -> tuple[dict, set[str], list[str]]:
    settings = Settings(data_dir=tmp_path / name)
    settings.ensure_dirs()
    _landing_zone(settings)
    threads: set[str] = set()
    real_load = ingest_load.ingest_table_file

    def watched(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(ingest_run, "SIDE_BY_SIDE", side_by_side)
    monkeypatch.setattr(ingest_run, "ingest_table_file", watched)
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        outcome = ingest_run.ingest_source(con, settings, load_contract(), "mosaic")
        failures = sorted(outcome.failures)
        tables = {}
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in ('raw', 'dq') order by all"
        ).fetchall():
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall() if c not in VOLATILE]
            select = ", ".join(f'"{c}"' for c in columns)
            tables[f"{schema}.{table}"] = sorted(con.execute(f'select {select} from {schema}."{table}"').fetchall(), key=repr)
    finally:
        con.close()
    return tables, threads, failures


@pytest.mark.slow
def test_two_at_a_time_loads_what_one_at_a_time_loads(tmp_path, monkeypatch):
    alone, alone_threads, alone_failures = _ingest(tmp_path, monkeypatch, "alone", 1)
    paired, paired_threads, paired_failures = _ingest(tmp_path, monkeypatch, "paired", 2)

    assert len([t for t in paired_threads if t.startswith("ingest")]) == 2, paired_threads
    assert len(alone_threads) == 1, alone_threads
    # The broken file fails its own table only, in both.
    assert alone_failures == paired_failures == ["ssd_cp_plans"]
    # The quarantined and blanked rows were found (so the comparison below covers them).
    # (dq.quarantine's columns 6 and 8: column_name, rule; dq.value_issues' 6 and 10: column_name, action)
    assert any(row[6] == "pers_person_id" and row[8] == "required" for row in alone["dq.quarantine"]), alone["dq.quarantine"]
    assert any(row[6] == "pers_sex" and row[10] == "blanked" for row in alone["dq.value_issues"]), alone["dq.value_issues"]
    assert len(alone["raw.mosaic__ssd_person"]) == 6 + 7 + 1  # May's 6, June's 7 and the child with a blanked sex
    assert alone.keys() == paired.keys()
    for name in alone:
        assert alone[name] == paired[name], name
