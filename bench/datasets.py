"""Synthetic landing zones for the benchmark, generated once per scale and cached.

A cache folder is keyed by the generator's seed and scale and a hash of what decides the files'
contents (the synthetic generator's code and the tables, columns and codes of the extract
contract), so a change to the generator regenerates instead of benchmarking stale files:

    bench/cache/scale-<N>/<key>/raw/<source>/<extract>/<table>.csv
    bench/cache/scale-<N>/<key>/generation.json      how long generating took, rows per table

Older keys of the same scale are removed when a new one is written (the national-volume
landing zone is gigabytes).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import REPO_ROOT
from pipelines.synthetic.generate import DEFAULT_SEED, GENERATOR_VERSION

CACHE_DIR = REPO_ROOT / "bench" / "cache"


def _contract_shape() -> str:
    """What the generator takes from the extract contract: tables, columns, types and codes (not
    the descriptions, which change often and never change a file)."""
    from pipelines.contracts.model import load_contract

    contract = load_contract()
    tables = [
        (t.source, t.table, t.file_pattern, [(c.name, c.type, c.since, c.until, c.codeset) for c in t.columns])
        for t in contract.tables
    ]
    codes = {name: [(c.code, c.since, c.until) for c in cs.codes] for name, cs in sorted(contract.codesets.items())}
    return repr((tables, codes))


def code_hash(root: Path = REPO_ROOT) -> str:
    """Hash of the generator's code and the contract's shape."""
    digest = hashlib.sha256(GENERATOR_VERSION.encode() + _contract_shape().encode())
    for path in sorted((root / "pipelines" / "synthetic").rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Dataset:
    scale: int
    seed: int
    folder: Path
    generation_seconds: float | None
    rows_by_table: dict[str, int]

    @property
    def raw_dir(self) -> Path:
        return self.folder / "raw"

    @property
    def rows_in(self) -> int:
        return sum(self.rows_by_table.values())

    def csv_files(self) -> list[Path]:
        return sorted(self.raw_dir.rglob("*.csv"))


def _rows_by_table(raw_dir: Path) -> dict[str, int]:
    """Rows per delivered table, from the generator's manifests (`<source>/<table>`)."""
    rows = {}
    for manifest in sorted(raw_dir.glob("*/*/manifest.json")):
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        for table, entry in doc.get("tables", {}).items():
            rows[f"{manifest.parent.parent.name}/{table}"] = int(entry["rows"])
    return rows


def dataset(scale: int, seed: int = DEFAULT_SEED, cache_dir: Path = CACHE_DIR, log=print) -> Dataset:
    """The cached landing zone for `scale`, generating it (in a fresh process) if it is missing."""
    key = f"seed{seed}-{code_hash()}"
    folder = cache_dir / f"scale-{scale}" / key
    record = folder / "generation.json"
    (cache_dir / f"scale-{scale}").mkdir(parents=True, exist_ok=True)
    # One generator per scale at a time: a second benchmark waits rather than deleting the
    # folder the first is writing.
    with open(cache_dir / f"scale-{scale}" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            _generate(scale, seed, folder, log)
    doc = json.loads(record.read_text(encoding="utf-8"))
    return Dataset(scale=scale, seed=seed, folder=folder, generation_seconds=doc.get("seconds"), rows_by_table=doc["rows"])


def _generate(scale: int, seed: int, folder: Path, log) -> None:
    """Generate `scale` into `folder` in a fresh process (removing older generations of it)."""
    record = folder / "generation.json"
    for stale in folder.parent.glob("seed*"):
        if stale != folder:
            log(f"  removing stale cache {stale}")
            shutil.rmtree(stale, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"  generating scale {scale} into {folder} ...")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipelines", "generate", "--seed", str(seed), "--scale", str(scale), "--out", str(folder / "raw")],
        cwd=REPO_ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    record.write_text(json.dumps({"scale": scale, "seed": seed, "seconds": round(seconds, 1), "rows": _rows_by_table(folder / "raw")}, indent=2) + "\n", encoding="utf-8")
