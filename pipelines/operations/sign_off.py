"""Signed-off figures: each financial quarter's reported figures, kept as they were signed off.

The live mart `marts.outcome_measures` is rebuilt every night from the latest extracts, so a late
recording in Mosaic quietly changes last year's figures. What the council reported must not move
unless someone decides to restate it. Signing off quarter Q copies from the live mart every row
whose period ends in Q - the quarter itself, the snapshot at its last day, the rolling year to it,
and in Q4 the financial year; academic and calendar years land in the quarter they end in - into
`marts.signed_off_figures`, replacing whatever was signed off for Q before (delete + insert in one
transaction), and logs the sign-off in `marts.sign_off_log`.

Quarters are named by their first day (the Dagster partition key), e.g. `2021-04-01` is 2021-22 Q1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import duckdb

SOURCE_TABLE = "marts.outcome_measures"
FIGURES_TABLE = "marts.signed_off_figures"
LOG_TABLE = "marts.sign_off_log"
# A figure is identified by these columns (the mart's unique key).
FIGURE_KEY = ("measure_id", "area_code", "period_type", "period_end", "statistic", "breakdown", "breakdown_value")
SIGN_OFF_COLUMNS = {
    "quarter_start": "date",
    "quarter_label": "varchar",
    "signed_off_at": "timestamp",
    "sign_off_run_id": "varchar",
    "sign_off_version": "integer",
}


class NothingToSignOff(ValueError):
    """The live mart holds no figure for periods ending in the quarter."""


@dataclass(frozen=True)
class Quarter:
    start: date

    @classmethod
    def from_key(cls, key: str) -> "Quarter":
        start = date.fromisoformat(key)
        if start.day != 1 or start.month not in (1, 4, 7, 10):
            raise ValueError(f"{key!r} is not the first day of a financial quarter (1 April, 1 July, 1 October or 1 January).")
        return cls(start)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return date(self.start.year + 1, 1, 1) if self.start.month == 10 else date(self.start.year, self.start.month + 3, 1)

    @property
    def number(self) -> int:
        return {4: 1, 7: 2, 10: 3, 1: 4}[self.start.month]

    @property
    def financial_year(self) -> str:
        first = self.start.year if self.start.month >= 4 else self.start.year - 1
        return f"{first}-{(first + 1) % 100:02d}"

    @property
    def label(self) -> str:
        return f"{self.financial_year} Q{self.number}"


@dataclass(frozen=True)
class SignOff:
    quarter: Quarter
    version: int
    rows: int
    rows_changed: int  # figures new or different since the previous sign-off (all of them the first time)
    extract_dates: tuple[str, ...]


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables on first use; add columns the live mart has gained since."""
    con.execute("create schema if not exists marts")
    extra = ", ".join(f"cast(null as {t}) as {c}" for c, t in SIGN_OFF_COLUMNS.items())
    con.execute(f"create table if not exists {FIGURES_TABLE} as select {extra}, * from {SOURCE_TABLE} where false")
    have = {r[0] for r in con.execute(f"select column_name from information_schema.columns where table_schema = 'marts' and table_name = 'signed_off_figures'").fetchall()}
    for name, type_ in con.execute(f"select column_name, data_type from information_schema.columns where table_schema = 'marts' and table_name = 'outcome_measures'").fetchall():
        if name not in have:
            con.execute(f'alter table {FIGURES_TABLE} add column "{name}" {type_}')
    con.execute(
        f"""create table if not exists {LOG_TABLE} (
            quarter_start date, quarter_label varchar, sign_off_version integer, signed_off_at timestamp,
            sign_off_run_id varchar, row_count bigint, rows_changed bigint, extract_dates varchar)"""
    )


def sign_off_quarter(con: duckdb.DuckDBPyConnection, quarter: Quarter, run_id: str, now: datetime | None = None) -> SignOff:
    """Replace the quarter's signed-off figures with the live mart's. The caller owns the transaction."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    _ensure_tables(con)
    window = [quarter.start, quarter.end]
    count, extract_dates = con.execute(
        f"select count(*), string_agg(distinct cast(extract_date as varchar), ', ' order by cast(extract_date as varchar)) from {SOURCE_TABLE} where period_end >= ? and period_end < ?",
        window,
    ).fetchall()[0]
    if count == 0:
        latest = con.execute(f"select max(extract_date) from {SOURCE_TABLE}").fetchall()[0][0]
        raise NothingToSignOff(
            f"No figures in {SOURCE_TABLE} for periods ending in {quarter.label} ({_day(quarter.start)} to {_day(quarter.end - timedelta(days=1))}); "
            f"the latest extract in the live mart is dated {latest}. Deliver an extract taken after the quarter ended and let the nightly run build it first."
        )
    version = con.execute(f"select coalesce(max(sign_off_version), 0) + 1 from {LOG_TABLE} where quarter_start = ?", [quarter.start]).fetchall()[0][0]
    join = " and ".join(f"old.{c} = new.{c}" for c in FIGURE_KEY)
    changed = con.execute(
        f"""select count(*) from {SOURCE_TABLE} as new
            left join {FIGURES_TABLE} as old on old.quarter_start = ? and {join}
            where new.period_end >= ? and new.period_end < ?
              and (old.quarter_start is null or old.value is distinct from new.value
                   or old.numerator is distinct from new.numerator or old.denominator is distinct from new.denominator)""",
        [quarter.start, *window],
    ).fetchall()[0][0]
    con.execute(f"delete from {FIGURES_TABLE} where quarter_start = ?", [quarter.start])
    con.execute(
        f"""insert into {FIGURES_TABLE} by name
            select cast(? as date) as quarter_start, ? as quarter_label, cast(? as timestamp) as signed_off_at,
                   ? as sign_off_run_id, ? as sign_off_version, *
            from {SOURCE_TABLE} where period_end >= ? and period_end < ?""",
        [quarter.start, quarter.label, now, run_id, version, *window],
    )
    con.execute(
        f"insert into {LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
        [quarter.start, quarter.label, version, now, run_id, count, changed, extract_dates],
    )
    return SignOff(quarter=quarter, version=version, rows=count, rows_changed=changed, extract_dates=tuple((extract_dates or "").split(", ")))


def sign_off(con: duckdb.DuckDBPyConnection, quarters: list[Quarter], run_id: str) -> list[SignOff]:
    """Sign off several quarters in one transaction: all of them, or none if any has no figures."""
    con.execute("begin transaction")
    try:
        results = [sign_off_quarter(con, q, run_id) for q in quarters]
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return results


def headline_preview(con: duckdb.DuckDBPyConnection, quarters: list[Quarter], limit: int = 20) -> str:
    """A markdown table of the signed-off bi-borough headline figures for the quarters' own period."""
    rows = con.execute(
        f"""select quarter_label, measure_id, statistic, round(value, 1)
            from {FIGURES_TABLE}
            where quarter_start in ({", ".join("?" for _ in quarters)})
              and period_type = 'quarter' and area_code = 'BIBOROUGH' and breakdown = 'all'
            order by quarter_start, measure_id, statistic limit {int(limit)}""",
        [q.start for q in quarters],
    ).fetchall()
    lines = ["| quarter | measure | statistic | bi-borough |", "|---|---|---|---:|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3] if r[3] is not None else ''} |" for r in rows]
    return "\n".join(lines) if rows else "No quarterly bi-borough headline figures in these quarters."
