"""Reference data generated from maintained libraries, written as dbt seeds.

England and Wales bank holidays come from the `holidays` package (which tracks the GOV.UK
list, including one-off days such as the 2022 State Funeral and the 2023 Coronation), not typed
in by hand. `python -m pipelines docs` rewrites the seed; a test fails if the committed seed and
the library disagree, which is the prompt to refresh it after upgrading the package.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import holidays

from pipelines.settings import REPO_ROOT

SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"
BANK_HOLIDAY_YEARS = range(2010, 2031)


def bank_holidays_csv() -> str:
    days = holidays.country_holidays("GB", subdiv="ENG", years=BANK_HOLIDAY_YEARS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["holiday_date", "holiday_name", "division", "source"])
    for when, name in sorted(days.items()):
        writer.writerow([when.isoformat(), name, "england-and-wales", f"holidays {holidays.__version__} (GB, subdiv ENG)"])
    return out.getvalue()


def write_seeds(seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    path = seeds_dir / "bank_holidays.csv"
    path.write_text(bank_holidays_csv(), encoding="utf-8")
    return [path]
