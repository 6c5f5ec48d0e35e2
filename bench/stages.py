"""Stage figures of a Dagster run, from the STEP_START / STEP_SUCCESS / STEP_FAILURE events of
its event log and the process-tree samples taken while it ran.

Stages: ingest (ingest_<source> steps), dbt build (the one dbt_models step), validation (the
Great Expectations checks: steps named ..._gx_..., one per suite before item 40, one per
producing step since), sign-off (the partitioned signed-off figures), publication (disclosure
control and the swap) and Dagster overhead: the process's wall time minus the sum of its steps
(start-up, loading definitions, planning, event writes between steps).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Measured

STAGES = ("ingest", "dbt_build", "validation", "sign_off", "publication")


def stage_of(step_key: str) -> str:
    if step_key.startswith("ingest_"):
        return "ingest"
    if step_key == "dbt_models":
        return "dbt_build"
    if "_gx_" in step_key:
        return "validation"
    if step_key.startswith("marts__signed_off"):
        return "sign_off"
    if step_key.startswith("published"):
        return "publication"
    return "other"


@dataclass(frozen=True)
class Step:
    key: str
    start: float
    end: float
    succeeded: bool


def read_steps(dagster_home: Path) -> tuple[str | None, str | None, list[Step]]:
    """(run id, run status, steps) of the latest run in the instance at `dagster_home`."""
    import dagster as dg

    # The repository's instance config places its storage under $DAGSTER_HOME.
    saved = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    try:
        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            runs = instance.get_runs(limit=1)
            if not runs:
                return None, None, []
            run = runs[0]
            starts: dict[str, float] = {}
            steps = []
            for record in instance.all_logs(run.run_id):
                event = record.dagster_event
                if event is None or event.step_key is None:
                    continue
                kind = event.event_type_value
                if kind == "STEP_START":
                    starts[event.step_key] = record.timestamp
                elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
                    steps.append(Step(event.step_key, starts.pop(event.step_key), record.timestamp, kind == "STEP_SUCCESS"))
            return run.run_id, run.status.value, steps
    finally:
        if saved is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = saved


def stage_figures(measured: Measured, steps: list[Step]) -> dict[str, dict]:
    """Per stage: wall seconds (sum of its steps), CPU seconds of the process tree during them,
    peak resident memory of the tree during them; plus `dagster_overhead` (the rest)."""
    sampler = measured.sampler
    figures: dict[str, dict] = {}
    for step in steps:
        fig = figures.setdefault(stage_of(step.key), {"steps": 0, "wall_s": 0.0, "cpu_s": 0.0, "peak_rss_mb": 0.0})
        fig["steps"] += 1
        fig["wall_s"] += step.end - step.start
        fig["cpu_s"] += sampler.cpu_between(step.start, step.end)
        fig["peak_rss_mb"] = max(fig["peak_rss_mb"], sampler.peak_rss_between(step.start, step.end) / 2**20)
    step_wall = sum(f["wall_s"] for f in figures.values())
    step_cpu = sum(f["cpu_s"] for f in figures.values())
    first = min((s.start for s in steps), default=measured.ended)
    figures["dagster_overhead"] = {
        "steps": 0,
        "wall_s": max(0.0, measured.wall_seconds - step_wall),
        "cpu_s": max(0.0, measured.cpu_seconds - step_cpu),
        "peak_rss_mb": sampler.peak_rss_between(measured.started, first) / 2**20,
        "before_first_step_s": first - measured.started,
    }
    for fig in figures.values():
        for k in ("wall_s", "cpu_s", "peak_rss_mb", "before_first_step_s"):
            if k in fig:
                fig[k] = round(fig[k], 2 if k != "peak_rss_mb" else 0)
    return figures
