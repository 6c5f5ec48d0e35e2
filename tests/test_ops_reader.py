"""Analysts reading while the warehouse runs, and restating a year after a corrected extract.

Starting point: the golden run of the tiny fixture (see test_spine_golden.py), copied, with
2021-22 and 2022-23 signed off. Then the council corrects its Mosaic extract: referral R6
(P004, 1 Dec 2021, still open) was recorded against the wrong child and is withdrawn with its
child-in-need plan. By hand:

    RBKC referrals in 2021-22            R1, R6  -> 2     after the correction: R1 -> 1
    RBKC referrals in 2021-22 Q3         R6      -> 1                           -> 0
    RBKC children in need at 31 Mar 2023 R2, R3, R4, R6 -> 4                    -> 3

While the nightly run takes in the corrected extract and publishes, another process holds a
read-only connection on the published database and keeps opening new ones. Then 2021-22 is
restated (a backfill of its four quarters); 2022-23 keeps what was signed off.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import dagster as dg
import duckdb
import pytest

from pipelines.resources import WarehouseResource
from pipelines.settings import Settings
from tests.conftest import clone_data, failed_steps

pytestmark = pytest.mark.slow

YEARS_2021_23 = {"dagster/asset_partition_range_start": "2021-04-01", "dagster/asset_partition_range_end": "2023-01-01"}
YEAR_2021_22 = {"dagster/asset_partition_range_start": "2021-04-01", "dagster/asset_partition_range_end": "2022-01-01"}

# Readers in other processes. `held` opens one connection and keeps it for the whole run;
# `fresh` opens a new connection every round and closes it (in a separate process, because within
# one process DuckDB hands a new connect() the database already open there, old file and all).
# Each observation: which publication, and a checksum of the mart. Four looks a second: a
# half-written file would be there for seconds (the tables are copied before the swap), and
# looking every 50 ms kept the two readers busy for 0.6 of a core (12.5 s of CPU in 20 s), taken
# from the nightly run they watch and from the suite's other tests.
READER = r"""
import json, os, sys, time, duckdb

mode, path, out, stop = sys.argv[1:5]

def look(con):
    pub = con.execute("select publication_id from published.publication_log order by published_at desc, publication_id desc limit 1").fetchall()[0][0]
    rows, checksum = con.execute(
        "select count(*), sum(hash(measure_id, area_code, period_type, period_end, statistic, breakdown, breakdown_value, value)) from marts.outcome_measures"
    ).fetchall()[0]
    return {"publication_id": pub, "rows": rows, "checksum": str(checksum)}

with open(out, "w") as log:
    def emit(kind, **data):
        log.write(json.dumps({"kind": kind, "t": time.time(), **data}) + "\n")
        log.flush()

    held = duckdb.connect(path, read_only=True) if mode == "held" else None
    first = True
    while True:
        last = os.path.exists(stop)  # one more round after the stop signal
        if held is not None:
            emit("held", **look(held))
        else:
            try:
                fresh = duckdb.connect(path, read_only=True)
                try:
                    emit("fresh", **look(fresh))
                finally:
                    fresh.close()
            except Exception as exc:  # a half-written or missing file would land here
                emit("error", error=f"{type(exc).__name__}: {exc}")
        if first:  # one look before the run starts
            print("ready", flush=True)
            first = False
        if last:
            break
        time.sleep(0.25)
"""


def _job_run(job_name: str, settings: Settings, instance, tags=None) -> dg.ExecuteInProcessResult:
    from pipelines.definitions import defs

    return defs.resolve_job_def(job_name).execute_in_process(
        instance=instance,
        tags=tags,
        resources={"warehouse": WarehouseResource(data_dir=str(settings.data_dir))},
        raise_on_error=False,
    )


def _deliver_corrected_extract(settings: Settings) -> None:
    """The 2023-05-15 Mosaic extract again, dated 2023-05-16, without R6 and its CIN plan."""
    source = settings.raw_dir / "mosaic" / "2023-05-15"
    target = settings.raw_dir / "mosaic" / "_incoming"  # written under a temporary name ...
    shutil.copytree(source, target)
    for name, withdrawn in (("ssd_cin_episodes.csv", ",R6,"), ("ssd_cin_plans.csv", ",R6,")):
        lines = (target / name).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if withdrawn not in line]
        assert len(kept) == len(lines) - 1
        (target / name).write_text("".join(kept), encoding="utf-8")
    target.rename(settings.raw_dir / "mosaic" / "2023-05-16")  # ... and renamed when complete


def _query(path, sql: str, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _signed_off(path, label: str, area: str, measure: str, statistic: str):
    return _query(
        path,
        """select value, sign_off_version from marts.signed_off_figures
           where period_label = ? and area_code = ? and measure_id = ? and statistic = ? and breakdown = 'all'""",
        [label, area, measure, statistic],
    )


def _live(path, label: str, area: str, measure: str, statistic: str):
    return _query(
        path,
        "select value from marts.outcome_measures where period_label = ? and area_code = ? and measure_id = ? and statistic = ? and breakdown = 'all'",
        [label, area, measure, statistic],
    )


def _latest_publication(path) -> str:
    return _query(path, "select publication_id from published.publication_log order by published_at desc, publication_id desc limit 1")[0][0]


@pytest.fixture(scope="module")
def corrected(golden_run, tmp_path_factory):
    """Sign off, then run the nightly job on the corrected extract with a reader attached."""
    from tests.conftest import TEST_KEY

    settings = Settings(data_dir=tmp_path_factory.mktemp("reader") / "data")
    clone_data(golden_run, settings)  # symlinks kept: `latest` and `report` stay links
    work = settings.data_dir.parent
    with pytest.MonkeyPatch.context() as env, dg.instance_for_test() as instance:
        env.setenv("OUTCOMES_PSEUDONYMISATION_KEY", TEST_KEY)
        env.setenv("OUTCOMES_DATA_DIR", str(settings.data_dir))

        signed = _job_run("sign_off_quarter", settings, instance, tags=YEARS_2021_23)
        assert signed.success, failed_steps(signed)
        state = {
            "instance": instance,
            "settings": settings,
            "first_publication": _latest_publication(settings.published_db_path),
            "signed_off_2022_23": _query(settings.warehouse_path, "select * from marts.signed_off_figures where quarter_label like '2022-23%' order by all"),
        }

        _deliver_corrected_extract(settings)
        stop = work / "stop"
        readers = [
            subprocess.Popen(
                [sys.executable, "-c", READER, mode, str(settings.published_db_path), str(work / f"{mode}.jsonl"), str(stop)],
                stdout=subprocess.PIPE, text=True,
            )
            for mode in ("held", "fresh")
        ]
        for reader in readers:
            assert reader.stdout.readline().strip() == "ready"
        try:
            state["nightly"] = _job_run("nightly", settings, instance)
        finally:
            time.sleep(0.5)  # let the readers look at the new publication a few times
            stop.touch()
            for reader in readers:
                reader.wait(timeout=120)
        state["observations"] = [json.loads(line) for mode in ("held", "fresh") for line in (work / f"{mode}.jsonl").read_text().splitlines()]
        yield state


def test_the_run_publishes_while_a_reader_holds_the_database(corrected):
    nightly = corrected["nightly"]
    assert nightly.success, failed_steps(nightly)
    path = corrected["settings"].published_db_path
    new_publication = _latest_publication(path)
    published = [
        e.event_specific_data.materialization.metadata["publication_id"].value
        for e in nightly.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key == dg.AssetKey(["published", "outcomes_database"])
    ]
    # A new connection sees the new publication, the one this run made.
    assert published == [new_publication]
    assert new_publication != corrected["first_publication"]


def test_the_held_connection_keeps_a_consistent_view(corrected):
    held = [o for o in corrected["observations"] if o["kind"] == "held"]
    assert len(held) > 10
    first = held[0]
    assert first["publication_id"] == corrected["first_publication"]
    assert all((o["publication_id"], o["rows"], o["checksum"]) == (first["publication_id"], first["rows"], first["checksum"]) for o in held)


def test_new_connections_never_see_a_half_written_file(corrected):
    observations = corrected["observations"]
    assert [o for o in observations if o["kind"] == "error"] == []
    fresh = [o for o in observations if o["kind"] == "fresh"]
    before = next(o for o in observations if o["kind"] == "held")  # the publication before the run
    after_path = corrected["settings"].published_db_path
    after_rows, after_checksum = _query(
        after_path,
        "select count(*), sum(hash(measure_id, area_code, period_type, period_end, statistic, breakdown, breakdown_value, value)) from marts.outcome_measures",
    )[0]
    whole_publications = {
        (corrected["first_publication"], before["rows"], before["checksum"]),
        (_latest_publication(after_path), after_rows, str(after_checksum)),
    }
    # Every new connection saw one whole publication, the old or the new, never a mixture ...
    assert {(o["publication_id"], o["rows"], o["checksum"]) for o in fresh} <= whole_publications
    # ... the old one before the swap and the new one after it, never going back.
    seen = [o["publication_id"] for o in fresh]
    assert seen[0] == corrected["first_publication"] and seen[-1] == _latest_publication(after_path)
    swap = seen.index(seen[-1])
    assert all(p == seen[-1] for p in seen[swap:])


def test_restating_2021_22_after_the_corrected_extract(corrected):
    settings, instance = corrected["settings"], corrected["instance"]
    build, published = settings.warehouse_path, settings.published_db_path
    rbkc = "E09000020"

    # The nightly run rebuilt the live figures; the signed-off ones did not move.
    assert _live(build, "2021-22", rbkc, "P3_REFERRALS", "count") == [(1,)]
    assert _live(build, "31 Mar 2023", rbkc, "P3_CIN_RATE", "count") == [(3,)]
    assert _signed_off(build, "2021-22", rbkc, "P3_REFERRALS", "count") == [(2, 1)]
    assert _signed_off(published, "2021-22", rbkc, "P3_REFERRALS", "count") == [(2, 1)]

    # Restate 2021-22: its four quarters, in one run, then publish.
    restated = _job_run("sign_off_quarter", settings, instance, tags=YEAR_2021_22)
    assert restated.success, failed_steps(restated)

    assert _signed_off(build, "2021-22", rbkc, "P3_REFERRALS", "count") == [(1, 2)]
    assert _signed_off(build, "2021-22 Q3", rbkc, "P3_REFERRALS", "count") == [(0, 2)]
    # 2022-23 keeps its signed-off figures row for row (4 children in need at 31 March 2023,
    # version 1), although the live mart now says 3.
    assert _query(build, "select * from marts.signed_off_figures where quarter_label like '2022-23%' order by all") == corrected["signed_off_2022_23"]
    assert _signed_off(build, "31 Mar 2023", rbkc, "P3_CIN_RATE", "count") == [(4, 1)]
    # The restatement is logged, and analysts see it in a new publication.
    log = _query(build, "select quarter_label, sign_off_version, rows_changed > 0 from marts.sign_off_log where sign_off_version = 2 order by 1")
    assert [(q, v) for q, v, _ in log] == [("2021-22 Q1", 2), ("2021-22 Q2", 2), ("2021-22 Q3", 2), ("2021-22 Q4", 2)]
    assert dict((q, changed) for q, _, changed in log)["2021-22 Q3"] is True
    assert _signed_off(published, "2021-22", rbkc, "P3_REFERRALS", "count") == [(1, 2)]
    assert _signed_off(published, "31 Mar 2023", rbkc, "P3_CIN_RATE", "count") == [(4, 1)]
