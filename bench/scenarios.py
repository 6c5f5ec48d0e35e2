"""One scale's benchmark: the raw-read floor, the full nightly run, the no-change nightly run and
a one-partition rerun, each in a fresh process with its own data folder and Dagster instance."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bench.datasets import Dataset
from bench.measure import Measured, run_measured
from bench.stages import read_steps, stage_figures
from pipelines.settings import REPO_ROOT, TELEMETRY_OFF

# A fixed key: the benchmark's pseudonyms need not be secret, only stable.
BENCH_KEY = "6265" * 16
# The quarter a one-partition rerun signs off again: 2022-23 Q4, the last one the synthetic
# extracts (dated 2023-05-15) cover in full.
RERUN_PARTITION = "2023-01-01"


def _mb(n: int) -> float:
    return round(n / 2**20)


def _summary(measured: Measured) -> dict:
    return {
        "wall_s": round(measured.wall_seconds, 2),
        "cpu_s": round(measured.cpu_seconds, 2),
        "peak_rss_mb": _mb(measured.peak_rss_tree),
        "max_rss_single_process_mb": _mb(measured.max_rss_single),
        "returncode": measured.returncode,
        "disk_peak_mb": None if measured.sampler.disk_peak is None else _mb(measured.sampler.disk_peak),
        "disk_min_free_mb": None if measured.sampler.disk_free_min is None else _mb(measured.sampler.disk_free_min),
    }


def _dir_mb(path: Path) -> float:
    if not path.exists():
        return 0
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return _mb(sum(p.stat().st_size for p in files))


class ScaleRun:
    """The folders and environment of one scale's runs."""

    def __init__(self, dataset: Dataset, work_root: Path, log=print) -> None:
        self.dataset = dataset
        self.folder = work_root / f"scale-{dataset.scale}"
        self.data_dir = self.folder / "data"
        self.dagster_home = self.folder / "dagster_home"
        self.log = log

    def prepare(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.data_dir.mkdir(parents=True)
        self.dagster_home.mkdir(parents=True)
        # The repository's instance configuration (SQLite storage under DAGSTER_HOME, telemetry off).
        shutil.copy(REPO_ROOT / ".dagster" / "dagster.yaml", self.dagster_home / "dagster.yaml")
        # The landing zone is read, never written: the cached one is linked in.
        (self.data_dir / "raw").symlink_to(self.dataset.raw_dir.resolve(), target_is_directory=True)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(TELEMETRY_OFF)
        env.update(
            {
                "OUTCOMES_DATA_DIR": str(self.data_dir),
                "DAGSTER_HOME": str(self.dagster_home),
                "OUTCOMES_PSEUDONYMISATION_KEY": BENCH_KEY,
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        return env

    def _python(self, name: str, *args: str) -> Measured:
        self.log(f"    {name} ...")
        measured = run_measured([sys.executable, *args], env=self.env(), cwd=REPO_ROOT, output=self.folder / f"{name}.log", disk_path=self.data_dir)
        self.log(f"    {name}: {measured.wall_seconds:.1f} s wall, {measured.cpu_seconds:.1f} s CPU, exit {measured.returncode}")
        return measured

    def floor(self) -> dict:
        database = self.folder / "floor.duckdb"
        files = [str(p) for p in self.dataset.csv_files()]
        measured = self._python("floor", "-m", "bench.floor", str(database), *files)
        database.unlink(missing_ok=True)
        return _summary(measured) | {"files": len(files)}

    def job(self, name: str, *child_args: str) -> dict:
        measured = self._python(name, "-m", "bench.child", *child_args)
        run_id, status, steps = read_steps(self.dagster_home)
        return _summary(measured) | {
            "run_id": run_id,
            "status": status,
            "stages": stage_figures(measured, steps),
            "log": str(self.folder / f"{name}.log"),
        }

    def run_all(self) -> dict:
        self.prepare()
        result = {"scale": self.dataset.scale, "rows_in": self.dataset.rows_in, "raw_mb": _dir_mb(self.dataset.raw_dir), "generation_s": self.dataset.generation_seconds}
        result["floor"] = self.floor()
        # Untimed, as `make setup` is for a deployment: dbt's partial-parse state
        # (pipelines/assets/dbt.py: parse_project), so that the timed run parses as a council's
        # nightly run does, not the whole project (a partial parse when the repository's state is
        # current; since outcomes-dbt, pipelines/dbt_cli.py, the state serves any data folder).
        self._python("parse", "-m", "pipelines", "prepare")
        result["full"] = self.job("full", "nightly")
        result["warehouse_mb"] = _dir_mb(self.data_dir / "warehouse")
        result["published_mb"] = _dir_mb(self.data_dir / "published" / "outcomes.duckdb")
        result["no_change"] = self.job("no_change", "nightly")
        # The same again at once. The first no-change run follows the full run, which at national
        # volume writes some 40 GB and can push Python's libraries out of the page cache: then it
        # also measures reading them from disk, which the second does not (docs/benchmarks.md).
        result["no_change_again"] = self.job("no_change_again", "nightly")
        result["partition_rerun"] = self.job("partition_rerun", "partition", RERUN_PARTITION) | {"partition": RERUN_PARTITION}
        result["ratio_to_floor"] = round(result["full"]["wall_s"] / result["floor"]["wall_s"], 2) if result["floor"]["wall_s"] else None
        return result

    def clean(self) -> None:
        """Remove the data (gigabytes at national volume); keep the logs and the run history."""
        shutil.rmtree(self.data_dir, ignore_errors=True)
