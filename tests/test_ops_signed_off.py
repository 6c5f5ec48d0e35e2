"""Signed-off figures by financial quarter, on a hand-written live mart (no dbt needed).

The live mart below has seven figures. The quarter a figure is signed off in is the quarter its
period ends in:

    figure                                   period_end   partition (quarter)
    P3_REFERRALS count   2021-22 Q1          2021-06-30   2021-04-01 (2021-22 Q1)
    P3_CIN_RATE  count   30 Jun 2021         2021-06-30   2021-04-01 (2021-22 Q1)
    P3_CIN_RATE  count   12 months to Jun    2021-06-30   2021-04-01 (2021-22 Q1)
    P4_KS2       percent 2020/21 (academic)  2021-08-31   2021-07-01 (2021-22 Q2)
    P4_SEN       count   2021 (calendar)     2021-12-31   2021-10-01 (2021-22 Q3)
    P3_REFERRALS count   2021-22 Q4          2022-03-31   2022-01-01 (2021-22 Q4)
    P3_REFERRALS count   2021-22 (year)      2022-03-31   2022-01-01 (2021-22 Q4)

so the four quarters of 2021-22 hold 3, 1, 1 and 2 figures, and 2022-23 Q1 holds none.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date

import dagster as dg
import duckdb
import pytest

from pipelines.assets.signed_off import signed_off_figures
from pipelines.operations.retries import wait_for_build_database
from pipelines.operations.sign_off import Quarter
from pipelines.resources import WarehouseResource

LIVE_MART = [
    # measure_id, period_type, period_start, period_end, period_label, statistic, value
    ("P3_REFERRALS", "quarter", "2021-04-01", "2021-06-30", "2021-22 Q1", "count", 3),
    ("P3_CIN_RATE", "snapshot", "2021-06-30", "2021-06-30", "30 Jun 2021", "count", 10),
    ("P3_CIN_RATE", "rolling_12_months", "2020-07-01", "2021-06-30", "12 months to Jun 2021", "count", 12),
    ("P4_KS2", "academic_year", "2020-09-01", "2021-08-31", "2020/21", "percent", 61.5),
    ("P4_SEN", "calendar_year", "2021-01-01", "2021-12-31", "2021", "count", 40),
    ("P3_REFERRALS", "quarter", "2022-01-01", "2022-03-31", "2021-22 Q4", "count", 4),
    ("P3_REFERRALS", "financial_year", "2021-04-01", "2022-03-31", "2021-22", "count", 14),
]
YEAR_2021_22 = {"dagster/asset_partition_range_start": "2021-04-01", "dagster/asset_partition_range_end": "2022-01-01"}


@pytest.fixture
def live_mart(settings):
    """A build database holding only marts.outcome_measures, with the figures above for RBKC."""
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("create schema marts")
    con.execute(
        """create table marts.outcome_measures (
            measure_id varchar, priority varchar, area_code varchar, area_name varchar, period_type varchar,
            period_start date, period_end date, period_label varchar, statistic varchar, breakdown varchar,
            breakdown_value varchar, numerator double, denominator double, value double, unit varchar,
            previous_value double, previous_period_label varchar, value_source varchar, extract_date date)"""
    )
    for measure, ptype, start, end, label, statistic, value in LIVE_MART:
        con.execute(
            "insert into marts.outcome_measures values (?, ?, 'E09000020', 'Kensington and Chelsea', ?, ?, ?, ?, ?, 'all', 'all', ?, null, ?, ?, null, null, 'computed', '2023-05-15')",
            [measure, measure[:2], ptype, start, end, label, statistic, value, value, "percent" if statistic == "percent" else "count"],
        )
    con.close()
    return settings


def sign_off(settings, instance, *, partition_key=None, tags=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [signed_off_figures],
        instance=instance,
        partition_key=partition_key,
        tags=tags,
        resources={"warehouse": WarehouseResource(data_dir=str(settings.data_dir))},
        raise_on_error=False,
    )


def query(settings, sql, params=None):
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_quarters_are_financial_quarters():
    assert Quarter.from_key("2021-04-01").label == "2021-22 Q1"
    assert Quarter.from_key("2022-01-01").label == "2021-22 Q4"
    assert Quarter.from_key("2022-01-01").end == date(2022, 4, 1)
    assert Quarter.from_key("2021-10-01").end == date(2022, 1, 1)
    with pytest.raises(ValueError, match="not the first day of a financial quarter"):
        Quarter.from_key("2021-05-01")


def test_a_year_signs_off_in_one_run_and_each_quarter_gets_what_ended_in_it(live_mart):
    with dg.instance_for_test() as instance:
        result = sign_off(live_mart, instance, tags=YEAR_2021_22)
        assert result.success
        # One step for the four quarters (single-run backfill), one materialisation per quarter.
        partitions = sorted(e.partition for e in result.get_asset_materialization_events())
        assert partitions == ["2021-04-01", "2021-07-01", "2021-10-01", "2022-01-01"]

    per_quarter = query(live_mart, "select quarter_label, count(*) from marts.signed_off_figures group by 1 order by 1")
    assert per_quarter == [("2021-22 Q1", 3), ("2021-22 Q2", 1), ("2021-22 Q3", 1), ("2021-22 Q4", 2)]
    log = query(live_mart, "select quarter_label, sign_off_version, row_count, rows_changed, extract_dates from marts.sign_off_log order by 1")
    assert log == [
        ("2021-22 Q1", 1, 3, 3, "2023-05-15"),
        ("2021-22 Q2", 1, 1, 1, "2023-05-15"),
        ("2021-22 Q3", 1, 1, 1, "2023-05-15"),
        ("2021-22 Q4", 1, 2, 2, "2023-05-15"),
    ]


def test_restating_a_quarter_leaves_the_others_as_signed_off(live_mart):
    with dg.instance_for_test() as instance:
        assert sign_off(live_mart, instance, tags=YEAR_2021_22).success
        q1_before = query(live_mart, "select * from marts.signed_off_figures where quarter_label = '2021-22 Q1' order by measure_id, period_type")

        # A corrected extract: the year's referrals were 15, and the first quarter's 5. The live mart
        # changes; nothing signed off does until someone restates.
        con = duckdb.connect(str(live_mart.warehouse_path))
        con.execute("update marts.outcome_measures set value = 15, numerator = 15 where period_type = 'financial_year'")
        con.execute("update marts.outcome_measures set value = 5, numerator = 5 where period_label = '2021-22 Q1'")
        con.close()
        assert query(live_mart, "select value from marts.signed_off_figures where period_type = 'financial_year'") == [(14,)]

        # Restate 2021-22 Q4 only.
        assert sign_off(live_mart, instance, partition_key="2022-01-01").success

    assert query(live_mart, "select value, sign_off_version from marts.signed_off_figures where period_type = 'financial_year'") == [(15, 2)]
    # Q4's other figure (the quarter, 4) did not change: one of its two figures changed.
    assert query(live_mart, "select sign_off_version, rows_changed from marts.sign_off_log where quarter_label = '2021-22 Q4' order by 1") == [(1, 2), (2, 1)]
    # Q1 keeps its signed-off 3, row for row, although the live mart now says 5.
    assert query(live_mart, "select * from marts.signed_off_figures where quarter_label = '2021-22 Q1' order by measure_id, period_type") == q1_before
    assert query(live_mart, "select value from marts.signed_off_figures where quarter_label = '2021-22 Q1' and period_type = 'quarter'") == [(3,)]


def test_a_quarter_without_figures_fails_clearly_without_retrying_and_changes_nothing(live_mart):
    with dg.instance_for_test() as instance:
        # 2021-22 Q4 has figures, 2022-23 Q1 has none: all or nothing.
        result = sign_off(live_mart, instance, tags={"dagster/asset_partition_range_start": "2022-01-01", "dagster/asset_partition_range_end": "2022-04-01"})
    assert not result.success
    events = [e.event_type_value for e in result.all_events]
    assert "STEP_UP_FOR_RETRY" not in events  # a data error: trying again cannot help
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.event_specific_data.error.cause.message if failure.event_specific_data.error.cause else failure.event_specific_data.error.message
    assert "No figures in marts.outcome_measures for periods ending in 2022-23 Q1 (1 Apr 2022 to 30 Jun 2022)" in message
    assert "the latest extract in the live mart is dated 2023-05-15" in message
    # Q4 was rolled back with the rest: not a table, not a row (the tables were created in the
    # same transaction).
    assert query(live_mart, "select table_name from information_schema.tables where table_schema = 'marts' order by 1") == [("outcome_measures",)]


HOLD_LOCK = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])  # a writer: DuckDB lets one process hold the file
print("holding", flush=True)
sys.stdin.readline()  # until the test says so (or closes the pipe)
con.close()
"""


class HeldDatabase:
    """Another process holding the build database until `release()`."""

    def __init__(self, path):
        self.process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "holding"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


def run_while_held(path, instance, run) -> dg.ExecuteInProcessResult:
    """Run `run` while another process holds the database; a helper thread releases it once the
    step has asked for a retry (so at least one retry is certain, whatever the machine's speed).

    The run stays on the main thread. Dagster sets its signal handlers only there, and when a run
    on another thread ended, the `tail` processes that capture its logs had inherited SIGTERM
    ignored (Dagster copies SIGINT's handler to SIGTERM, and SIGINT is ignored in a process
    started in the background without job control, as `make test` from a script is): Dagster
    then waited 30 s for each of the two before giving up, a minute per test."""
    held = HeldDatabase(path)
    retried, finished = threading.Event(), threading.Event()

    def release_after_retry() -> None:
        try:
            deadline = time.monotonic() + 120
            while not finished.is_set() and time.monotonic() < deadline:
                if instance.get_event_records(dg.EventRecordsFilter(event_type=dg.DagsterEventType.STEP_UP_FOR_RETRY), limit=1):
                    retried.set()
                    return
                time.sleep(0.1)
        finally:
            held.release()

    releaser = threading.Thread(target=release_after_retry, daemon=True)
    releaser.start()
    try:
        result = run()
    finally:
        finished.set()
        releaser.join(timeout=120)
        held.release()
    assert retried.is_set(), "the step never asked for a retry"
    return result


def test_a_database_held_by_another_process_is_retried_with_backoff(live_mart, monkeypatch):
    monkeypatch.setenv("OUTCOMES_LOCK_RETRY_SECONDS", "0.5")  # waits of 0.5, 1, 2, 4, 8 s
    with dg.instance_for_test() as instance:
        result = run_while_held(live_mart.warehouse_path, instance, lambda: sign_off(live_mart, instance, partition_key="2021-04-01"))
    assert result.success
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert 1 <= len(retries) <= 5
    assert query(live_mart, "select count(*) from marts.signed_off_figures") == [(3,)]


def test_the_dbt_step_waits_for_the_database_too(live_mart, monkeypatch):
    """wait_for_build_database (called before dbt starts) asks for a retry while the file is held."""
    monkeypatch.setenv("OUTCOMES_LOCK_RETRY_SECONDS", "0.5")
    attempts = []

    @dg.op
    def before_dbt(context):
        attempts.append(context.retry_number)
        wait_for_build_database(context, live_mart.warehouse_path)

    job = dg.GraphDefinition(name="probe", node_defs=[before_dbt]).to_job()
    with dg.instance_for_test() as instance:
        result = run_while_held(live_mart.warehouse_path, instance, lambda: job.execute_in_process(instance=instance, raise_on_error=False))
    assert result.success
    assert attempts[0] == 0 and len(attempts) >= 2  # refused at first, let through once released
