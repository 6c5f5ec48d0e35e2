"""The benchmark harness itself (bench/): process-tree measurement, stage attribution, the floor,
the results tables. Fast, real processes, no timed assertions."""

from __future__ import annotations

import argparse
import sys
import textwrap

import duckdb
import pytest

from bench.floor import read_all
from bench.machine import machine, python_reference_ms
from bench.measure import run_measured
from bench.proctree import TreeSampler
from bench.report import RUNS_END, RUNS_START, SUMMARY_END, SUMMARY_START, update_markdown
from bench.run import parse_scales
from bench.stages import Step, stage_figures, stage_of
from bench.statement_profile import describe, operator_lines, profile_statement
from bench.measure import Measured

MB = 2**20

# A parent that starts a child; the child holds 200 MB and burns about a second of CPU. The
# figures must include the grandchild's memory and CPU, which is what dbt under Dagster is.
CHILD = "import time; b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); t = time.process_time()\nwhile time.process_time() - t < 1.0: pass"
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {CHILD!r}], check=True)"


def test_process_tree_cpu_and_memory_include_grandchildren(tmp_path):
    measured = run_measured([sys.executable, "-c", PARENT], env=None, cwd=tmp_path, output=tmp_path / "out.log", interval=0.05)
    assert measured.returncode == 0, (tmp_path / "out.log").read_text()
    # At least the second of CPU the grandchild spent (user + system, reaped by its parent).
    assert measured.cpu_seconds >= 0.95
    # Its 200 MB were resident while it spun, and the sampler saw them.
    assert measured.sampler.peak_rss >= 200 * MB
    assert measured.max_rss_single >= 200 * MB
    # Cumulative CPU never goes backwards between samples.
    assert all(b >= a for a, b in zip(measured.sampler.cpu, measured.sampler.cpu[1:]))


def test_disk_a_run_takes_is_sampled_while_it_runs(tmp_path):
    """A run that writes 64 MB, holds it a moment and deletes it: the disk it took at its peak
    is seen, though nothing is left on disk when it ends (DuckDB's spill files behave so)."""
    write_and_delete = (
        "import os, time; p = 'spill.bin'\n"
        "with open(p, 'wb') as f:\n    f.write(os.urandom(64 * 2**20)); f.flush(); os.fsync(f.fileno())\n"
        "time.sleep(0.5); os.remove(p)"
    )
    measured = run_measured([sys.executable, "-c", write_and_delete], env=None, cwd=tmp_path, output=tmp_path / "out.log", interval=0.05, disk_path=tmp_path)
    assert measured.returncode == 0, (tmp_path / "out.log").read_text()
    assert not (tmp_path / "spill.bin").exists()
    # Other work on the machine may write too; at least the 64 MB, and not absurdly more.
    assert 60 * MB <= measured.sampler.disk_peak < 10 * 2**30
    assert measured.sampler.disk_free_min < measured.sampler.disk_free_start


def test_failed_command_keeps_its_exit_code(tmp_path):
    measured = run_measured([sys.executable, "-c", "raise SystemExit(3)"], env=None, cwd=tmp_path, output=tmp_path / "out.log")
    assert measured.returncode == 3


def _sampler(times, cpu, rss) -> TreeSampler:
    sampler = TreeSampler(root=0)
    sampler.times, sampler.cpu, sampler.rss = list(times), list(cpu), list(rss)
    return sampler


def test_stage_figures_attribute_cpu_memory_and_overhead():
    # Samples every second from t=100 to t=110: cumulative CPU rises 1 s per second until 105
    # (ingest), then 2 s per second (dbt, two threads); memory 100 MB, 500 MB during dbt.
    times = [100 + i for i in range(11)]
    cpu = [min(i, 5) + 2 * max(0, i - 5) for i in range(11)]  # 0,1,2,3,4,5,7,9,11,13,15
    rss = [100 * MB if t < 106 else 500 * MB for t in times]
    measured = Measured(started=99.0, ended=111.0, returncode=0, cpu_seconds=16.0, max_rss_single=400 * MB, sampler=_sampler(times, cpu, rss))
    steps = [
        Step("ingest_mosaic", 101.0, 103.0, True),  # CPU 3 - 1 = 2
        Step("ingest_ons", 103.0, 104.0, True),  # 4 - 3 = 1
        Step("dbt_models", 105.0, 109.5, True),  # 14 - 5 = 9 (halfway between 13 and 15)
        Step("marts__outcome_measures_gx_completeness", 109.5, 110.0, True),  # 15 - 14 = 1
    ]
    figures = stage_figures(measured, steps)
    assert figures["ingest"] == {"steps": 2, "wall_s": 3.0, "cpu_s": 3.0, "peak_rss_mb": 100}
    assert figures["dbt_build"]["cpu_s"] == 9.0 and figures["dbt_build"]["peak_rss_mb"] == 500
    assert figures["validation"]["wall_s"] == 0.5 and figures["validation"]["cpu_s"] == 1.0
    # Overhead: 12 s of process wall minus 8 s of steps; 16 s of CPU minus 13 s in steps; the
    # 2 s from launch (99) to the first step (101).
    overhead = figures["dagster_overhead"]
    assert (overhead["wall_s"], overhead["cpu_s"], overhead["before_first_step_s"]) == (4.0, 3.0, 2.0)


@pytest.mark.parametrize(
    "step, stage",
    [
        ("ingest_education", "ingest"),
        ("dbt_models", "dbt_build"),
        ("published__outcome_measures_gx_disclosure_audit", "validation"),
        ("published_tables", "publication"),
        ("published__outcomes_database", "publication"),
        ("marts__signed_off_figures", "sign_off"),
        ("something_new", "other"),
    ],
)
def test_step_stages(step, stage):
    assert stage_of(step) == stage


def test_floor_reads_every_file_into_a_table(tmp_path):
    (tmp_path / "a.csv").write_text("id,name\n1,x\n2,y\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("k\n7\n", encoding="utf-8")
    assert read_all(str(tmp_path / "floor.duckdb"), [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 3


def test_scales_argument():
    assert parse_scales("1,10, 50") == (1, 10, 50)
    for bad in ("", "one", "0,1"):
        with pytest.raises(argparse.ArgumentTypeError, match="--scales"):
            parse_scales(bad)


def _results(started: str, full_s: float, again_s: float | None = None) -> dict:
    def run(wall):
        return {"wall_s": wall, "cpu_s": wall, "peak_rss_mb": 100, "returncode": 0, "stages": {"ingest": {"steps": 1, "wall_s": 1.0, "cpu_s": 1.0, "peak_rss_mb": 50}, "dagster_overhead": {"steps": 0, "wall_s": 1.0, "cpu_s": 1.0, "peak_rss_mb": 40, "before_first_step_s": 1.0}}}

    scale = {"scale": 1, "rows_in": 1000, "raw_mb": 1, "generation_s": 2.0, "floor": run(2.0), "full": run(full_s), "no_change": run(3.0), "partition_rerun": run(4.0) | {"partition": "2023-01-01"}, "ratio_to_floor": full_s / 2.0, "warehouse_mb": 5, "published_mb": 1}
    if again_s is not None:
        scale["no_change_again"] = run(again_s)
    return {"started_at": started, "label": "test", "note": None, "command": "python bench/run.py --quick", "machine": {"cores": 2, "memory_gb": 24, "cpu": "x", "os": "Linux"}, "versions": {"python": "3.11"}, "git": {"commit": "abc", "dirty": False}, "load_average_start": [1.0], "load_average_end": [1.5], "duration_s": 60.0, "scales": [scale]}


def test_results_page_keeps_earlier_runs_and_rewrites_the_current_one(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text(textwrap.dedent(f"""\
        # Benchmarks
        {SUMMARY_START}
        {SUMMARY_END}
        {RUNS_START}
        {RUNS_END}
        after the tables
        """), encoding="utf-8")
    update_markdown(_results("2026-01-01T10:00:00+00:00", 40.0), page)
    update_markdown(_results("2026-01-02T10:00:00+00:00", 30.0), page)
    # The second run is written again after another scale: replaced, not repeated.
    update_markdown(_results("2026-01-02T10:00:00+00:00", 20.0, again_s=2.5), page)
    text = page.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| 2026-")]
    assert [r.split(" | ")[0] for r in rows] == ["| 2026-01-02T10:00", "| 2026-01-01T10:00"]  # newest first
    assert "| 20.0 |" in rows[0] and "| 40.0 |" in rows[1]
    # The no-change run and, where it was measured, the second one straight after it.
    assert "| 3.0 / 2.5 |" in rows[0] and "| 3.0 |" in rows[1]
    assert "| no-change nightly run again, at once | 2.5 / 2.5 / 100 |" in text
    assert text.count("### 2026-01-02T10:00 UTC") == 1 and text.count("### 2026-01-01T10:00 UTC") == 1
    assert text.index("### 2026-01-02") < text.index("### 2026-01-01")
    assert text.rstrip().endswith("after the tables")


def test_machine_record_has_a_python_reference_figure_shown_with_the_run(tmp_path):
    """The floor measures DuckDB on the machine; the plain-Python workload measures Python, so a
    slower machine can be told from slower code (docs/benchmarks.md, item 37)."""
    figure = machine()["python_reference_ms"]
    assert 0 < figure < 60_000
    assert python_reference_ms(repeats=1) > 0
    page = tmp_path / "benchmarks.md"
    page.write_text(f"{SUMMARY_START}\n{SUMMARY_END}\n{RUNS_START}\n{RUNS_END}\n", encoding="utf-8")
    results = _results("2026-01-03T10:00:00+00:00", 30.0)
    results["machine"]["python_reference_ms"] = 41.5
    update_markdown(results, page)
    update_markdown(_results("2026-01-01T10:00:00+00:00", 30.0), page)  # recorded before the figure existed
    text = page.read_text(encoding="utf-8")
    assert "- Machine: 2 cores (x), 24 GB memory, Linux; a fixed plain-Python workload took 41.5 ms (`bench/machine.py`)." in text
    assert "- Machine: 2 cores (x), 24 GB memory, Linux.\n" in text


def test_a_slow_statement_keeps_its_duckdb_profile_and_a_quick_one_does_not(tmp_path):
    """`ingest_statements --profile`: the operator tree of a real statement, read back; the file
    of a statement under the threshold deleted; a query's rows still fetched after it."""
    con = duckdb.connect()
    kept, dropped = tmp_path / "0001.json", tmp_path / "0002.json"
    profile_statement(con, "create table groups as select i % 1000 as k, count(*) as n from range(2000000) r(i) group by all", kept, 0.0)
    profile_statement(con, "create table small as select 1 as x", dropped, 60.0)
    assert kept.exists() and not dropped.exists()
    lines = operator_lines(kept, from_seconds=0.0)
    group_by = [line for line in lines if line.operator == "HASH_GROUP_BY"]
    assert len(group_by) == 1 and group_by[0].rows == 1000
    assert group_by[0].depth > lines[0].depth  # below the statement's own operator
    assert "create table groups" in describe(kept, from_seconds=0.0)
    # A statement whose rows the caller fetches is run as it is, and its rows are all there.
    assert profile_statement(con, "select count(*), sum(n) from groups", tmp_path / "0003.json", 0.0).fetchall() == [(1000, 2000000)]
    assert not (tmp_path / "0003.json").exists()
    # Profiling is off again: the next statement writes no profile.
    con.execute("create table after as select 2 as y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001.json"]
