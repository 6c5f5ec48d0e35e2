"""Where things live. One place, read from the environment, so that the nightly run,
the tests (which point everything at a temporary folder) and an analyst's shell agree.

Environment variables
---------------------
OUTCOMES_DATA_DIR      root of the data folders (default: <repo>/data)
OUTCOMES_KEY_FILE      file holding the pseudonymisation key (default: outside the repo,
                       ~/.config/biborough-outcomes/pseudonymisation.key)
OUTCOMES_PSEUDONYMISATION_KEY
                       the key itself (hex); wins over the key file when set
OUTCOMES_DUCKDB_MEMORY_LIMIT
                       most memory DuckDB may hold in the pipeline's connections and dbt's
                       (default 4GB); beyond it DuckDB spills to the spill folder
OUTCOMES_DUCKDB_SPILL_DIR
                       where DuckDB spills what does not fit (default <data>/work/duckdb_spill).
                       At national volume dbt spills tens of GB beside a 9 GB build database
                       and the 2 x 16 GB landing zone and archive: point this at another disk
                       when the data folder's disk is short (README: Memory and disk)
OUTCOMES_DBT_THREADS   models dbt builds at once (default 1: DuckDB already uses every core
                       for each; read by dbt_project/profiles.yml)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT
DBT_PROFILES_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_KEY_FILE = Path.home() / ".config" / "biborough-outcomes" / "pseudonymisation.key"

# Telemetry is off everywhere: the warehouse runs on machines with no route out,
# and council data platforms must not phone home.
TELEMETRY_OFF = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "DAGSTER_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
}


def duckdb_memory_limit() -> str:
    return os.environ.get("OUTCOMES_DUCKDB_MEMORY_LIMIT", "4GB")


def switch_off_telemetry() -> None:
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)


@dataclass(frozen=True)
class Settings:
    data_dir: Path

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(data_dir=Path(os.environ.get("OUTCOMES_DATA_DIR", REPO_ROOT / "data")).resolve())

    # Landing zone: data/raw/<source>/<extract_id>/<table>.csv, exactly as delivered.
    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    # Byte-for-byte copies of every file ever ingested, with a sha256 manifest.
    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    # The build database: only the pipeline writes it; analysts never open it.
    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def warehouse_path(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    # Scratch space for transcoded files and candidate publications.
    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"

    # What analysts and the public see; swapped in atomically.
    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def published_db_path(self) -> Path:
        return self.published_dir / "outcomes.duckdb"

    def ensure_dirs(self) -> None:
        for path in (self.raw_dir, self.archive_dir, self.warehouse_dir, self.work_dir, self.published_dir):
            path.mkdir(parents=True, exist_ok=True)

    def duckdb_config(self) -> dict[str, str]:
        """Without a limit DuckDB keeps up to 80% of the machine's memory: ingest held 10 GB at
        ten times the bi-borough volume (docs/benchmarks.md). With one it spills to disk."""
        return {"memory_limit": duckdb_memory_limit(), "temp_directory": str(self.spill_dir)}

    @property
    def spill_dir(self) -> Path:
        """One spill folder for the pipeline's connections and dbt's (DuckDB creates it)."""
        configured = os.environ.get("OUTCOMES_DUCKDB_SPILL_DIR")
        return Path(configured).resolve() if configured else self.work_dir / "duckdb_spill"

    def dbt_env(self) -> dict[str, str]:
        """Variables the dbt profile reads (see dbt_project/profiles.yml)."""
        return {
            "OUTCOMES_WAREHOUSE_PATH": str(self.warehouse_path),
            "OUTCOMES_DATA_DIR": str(self.data_dir),
            "OUTCOMES_DUCKDB_MEMORY_LIMIT": duckdb_memory_limit(),
            "OUTCOMES_DUCKDB_SPILL_DIR": str(self.spill_dir),
        }
