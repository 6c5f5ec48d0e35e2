"""What the figures were measured on: machine, versions, commit, load."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from importlib.metadata import PackageNotFoundError, version

from pipelines.settings import REPO_ROOT

PACKAGES = ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "great-expectations", "pandas", "pyarrow")


def _meminfo_gb() -> float | None:
    try:
        for line in open("/proc/meminfo", encoding="ascii"):
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _cpu_model() -> str | None:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _python_work() -> int:
    """A fixed piece of plain Python (string formatting, dict lookups, a sort): the kind of work
    that dbt's node loop, Great Expectations, the disclosure control and Dagster do."""
    counts: dict[str, int] = {}
    for i in range(200_000):
        key = f"k{i % 5_000}"
        counts[key] = counts.get(key, 0) + len(key)
    return len(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def python_reference_ms(repeats: int = 5) -> float:
    """Milliseconds the same plain-Python work takes on this machine (the best of `repeats`).

    The floor measures DuckDB's speed on the machine, not Python's. Two virtual machines of the
    same size differed by 1.7 times at scale 1, where the run is mostly Python, and 1.55 times
    on the floor (docs/benchmarks.md, item 37); this figure tells a slower machine from slower
    code when runs on two machines are compared."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        _python_work()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def machine() -> dict:
    return {
        "cores": os.cpu_count(), "memory_gb": _meminfo_gb(), "cpu": _cpu_model(), "os": platform.platform(),
        "python_reference_ms": python_reference_ms(),
    }


def versions() -> dict:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def git_commit() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()

    # Uncommitted changes to the pipeline or the benchmark make the commit an approximation; the
    # results of earlier runs (bench/results) are not code, and do not.
    dirty = git("status", "--porcelain", "--", "pipelines", "dbt_project", "dbt_project.yml", "expectations", "bench", ":(exclude)bench/results")
    return {"commit": git("rev-parse", "--short=10", "HEAD") or "unknown", "dirty": bool(dirty)}
