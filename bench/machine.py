"""What the figures were measured on: machine, versions, commit, load."""

from __future__ import annotations

import os
import platform
import subprocess
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


def machine() -> dict:
    return {"cores": os.cpu_count(), "memory_gb": _meminfo_gb(), "cpu": _cpu_model(), "os": platform.platform()}


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

    # Uncommitted changes to the pipeline or the benchmark make the commit an approximation.
    dirty = git("status", "--porcelain", "--", "pipelines", "dbt_project", "dbt_project.yml", "expectations", "bench")
    return {"commit": git("rev-parse", "--short=10", "HEAD") or "unknown", "dirty": bool(dirty)}
