"""Plausibility warnings a person has looked at and accepted (expectations/accepted_warnings.yml).

A plausibility warning (a figure that moved further than its measure's bounds since the previous
period or the previous publication) does not block publication; it asks someone to look. When
they have, and the change is real (a new policy, a data correction, a small cohort), they add
an entry and the warning stops:

    accepted:
      - measure: P3_CLA_RATE          # required
        area: E09000020               # required: ONS code or BIBOROUGH
        period: 31 Mar 2023           # required: the period label as published
        statistic: count              # optional: every statistic of the measure when left out
        comparison: previous_period   # optional: previous_period or previous_publication
        reason: UASC arrivals under the national transfer scheme
        who: A. Analyst
        when: 2023-05-16

Entries are checked when read: a malformed one is an error naming the entry, not silently
ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.settings import EXPECTATIONS_DIR
from pipelines.yaml_files import read_yaml

ACCEPTED_WARNINGS_FILE = EXPECTATIONS_DIR / "accepted_warnings.yml"
REQUIRED = ("measure", "area", "period", "reason", "who", "when")
COMPARISONS = ("previous_period", "previous_publication")


@dataclass(frozen=True)
class AcceptedWarning:
    measure: str
    area: str
    period: str
    reason: str
    who: str
    when: date
    statistic: str | None = None
    comparison: str | None = None

    def covers(self, measure: str, area: str, period: str, statistic: str, comparison: str) -> bool:
        return (
            self.measure == measure
            and self.area == area
            and self.period == period
            and (self.statistic is None or self.statistic == statistic)
            and (self.comparison is None or self.comparison == comparison)
        )

    def describe(self) -> str:
        return f"accepted by {self.who} on {self.when.isoformat()}: {self.reason}"


class AcceptedWarningsError(ValueError):
    """The accepted-warnings file is malformed."""


def load_accepted_warnings(path: Path = ACCEPTED_WARNINGS_FILE) -> list[AcceptedWarning]:
    if not path.exists():
        return []
    document = read_yaml(path) or {}
    entries = document.get("accepted") or []
    if not isinstance(entries, list):
        raise AcceptedWarningsError(f"{path}: 'accepted' must be a list of entries")
    accepted = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise AcceptedWarningsError(f"{path}: entry {number} is not a mapping")
        missing = [k for k in REQUIRED if not str(entry.get(k) or "").strip()]
        if missing:
            raise AcceptedWarningsError(f"{path}: entry {number} ({entry.get('measure')}) lacks {', '.join(missing)}")
        unknown = sorted(set(entry) - set(REQUIRED) - {"statistic", "comparison"})
        if unknown:
            raise AcceptedWarningsError(f"{path}: entry {number} ({entry['measure']}) has unknown keys {unknown}")
        if entry.get("comparison") not in (None, *COMPARISONS):
            raise AcceptedWarningsError(f"{path}: entry {number} ({entry['measure']}): comparison must be one of {COMPARISONS}")
        when = entry["when"]
        if not isinstance(when, date):
            try:
                when = date.fromisoformat(str(when))
            except ValueError as exc:
                raise AcceptedWarningsError(f"{path}: entry {number} ({entry['measure']}): 'when' must be a date (YYYY-MM-DD)") from exc
        accepted.append(
            AcceptedWarning(
                measure=str(entry["measure"]), area=str(entry["area"]), period=str(entry["period"]), reason=str(entry["reason"]),
                who=str(entry["who"]), when=when, statistic=entry.get("statistic"), comparison=entry.get("comparison"),
            )
        )
    return accepted
