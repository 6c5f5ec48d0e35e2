"""The report built from a small hand-made publication: suppressed figures show as c (never 0),
comparators and targets appear, directions follow polarity, nothing is read from `marts`, the
latest pointer moves atomically; and the golden nightly run's publication has its report."""

from __future__ import annotations

import json
import re
from datetime import datetime

import duckdb
import pandas as pd
import pytest

from pipelines.publication.linear_constraints import Rules
from pipelines.publication.published_tables import build_published_tables, priority_tables
from pipelines.report.build import build_report
from pipelines.report.figures import ReportInputError
from pipelines.settings import Settings

RBKC, WCC, BI = "E09000020", "E09000033", "BIBOROUGH"
NAMES = {RBKC: "Kensington and Chelsea", WCC: "Westminster", BI: "Bi-borough (Kensington and Chelsea and Westminster)"}
YEARS = {"2020-21": "2021-03-31", "2021-22": "2022-03-31", "2022-23": "2023-03-31"}
PUBLICATION = "20230601T020000Z-abcdef12"
# A value that exists only in marts: if it ever reaches a page, the report read the wrong schema.
MARTS_ONLY = 987654.0


def _row(measure, statistic, area, year, numerator, denominator=None, *, unit="percent", polarity="lower_is_better", **context):
    value = numerator if unit == "count" else numerator * 100.0 / denominator
    return {
        "measure_id": measure, "measure_name": "Re-referrals within 12 months" if measure == "P3_REREFERRAL_12M" else "Children on child protection plans",
        "priority": "P3", "area_code": area, "area_name": NAMES[area], "period_type": "financial_year",
        "period_start": pd.Timestamp(YEARS[year]) - pd.DateOffset(years=1) + pd.DateOffset(days=1), "period_end": pd.Timestamp(YEARS[year]),
        "period_label": year, "statistic": statistic, "breakdown": context.pop("breakdown", "all"), "breakdown_value": context.pop("breakdown_value", "all"),
        "numerator": float(numerator), "denominator": None if denominator is None else float(denominator), "value": float(value), "unit": unit,
        "polarity": polarity, "comparator_london": context.get("london"), "comparator_england": context.get("england"), "target": context.get("target"),
        "value_source": "computed", "extract_date": pd.Timestamp("2023-05-15"),
    }


def _marts_rows():
    rows = []
    # Re-referrals (lower is better). RBKC 20.0% -> 18.0% -> 15.0%; WCC 2021-22 is 3 of 12: a count
    # of 1 to 5, so suppressed (c), and its direction in 2022-23 cannot be shown. The bi-borough
    # is shown in every year, so disclosure control also hides RBKC's 2021-22 (see below).
    for year, (r_num, w_num, w_den) in {"2020-21": (20, 30, 150), "2021-22": (18, 3, 12), "2022-23": (15, 33, 150)}.items():
        london = 17.5 if year == "2022-23" else None
        england = {"2021-22": 21.0, "2022-23": 21.5}.get(year)
        rows.append(_row("P3_REREFERRAL_12M", "percent", RBKC, year, r_num, 100, london=london, england=england, target=16.0 if year == "2022-23" else None))
        rows.append(_row("P3_REREFERRAL_12M", "percent", WCC, year, w_num, w_den, london=london, england=england, target=20.0 if year == "2022-23" else None))
        rows.append(_row("P3_REREFERRAL_12M", "percent", BI, year, r_num + w_num, 100 + w_den, london=london, england=england))
    # Children on CP plans (context: need, not performance): RBKC 40 -> 50, WCC 60 -> 66, by sex too.
    for year, (r, w) in {"2021-22": (40, 60), "2022-23": (50, 66)}.items():
        for area, n in ((RBKC, r), (WCC, w), (BI, r + w)):
            rows.append(_row("P3_CP_PLANS", "count", area, year, n, unit="count", polarity="context"))
    for area, (girls, boys) in {RBKC: (22, 28), WCC: (33, 33), BI: (55, 61)}.items():
        rows.append(_row("P3_CP_PLANS", "count", area, "2022-23", girls, unit="count", polarity="context", breakdown="sex", breakdown_value="female"))
        rows.append(_row("P3_CP_PLANS", "count", area, "2022-23", boys, unit="count", polarity="context", breakdown="sex", breakdown_value="male"))
    return rows


def publish_by_hand(settings: Settings, *, synthetic: bool) -> None:
    """A publication as publish.py leaves it: the published tables (real disclosure control) in
    outcomes.duckdb with a publication log, and its folder."""
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.published_db_path))
    try:
        con.execute("create schema marts")
        con.register("rows_in", pd.DataFrame(_marts_rows()))
        con.execute("create table marts.outcome_measures as select * from rows_in")
        con.execute(
            """create table marts.measure_catalogue as select * from (values
            ('P3_REREFERRAL_12M', 'Re-referrals within 12 months', 'P3', 'Referrals within 12 months of a previous referral.', 'percent', 'percent', 'lower_is_better', 'Lower is better.', 'Mosaic', '1'),
            ('P3_CP_PLANS', 'Children on child protection plans', 'P3', 'Children subject to a plan on 31 March.', 'count', 'count', 'context', 'Need, not performance.', 'Mosaic', '1'))
            as t(measure_id, measure_name, priority, definition, statistics, unit, polarity, polarity_note, primary_source, definition_version)"""
        )
        build_published_tables(con, Rules())
        con.execute(f"update marts.outcome_measures set value = {MARTS_ONLY}")
        con.execute("create table published.publication_log (publication_id varchar, published_at timestamp, run_id varchar, content_hash varchar, row_count bigint, synthetic boolean, manifest varchar)")
        manifest = json.dumps({"extracts": [{"source": "mosaic", "extract_date": "2023-05-15"}]})
        con.execute("insert into published.publication_log values (?, ?, 'run', 'hash', 0, ?, ?)", [PUBLICATION, datetime(2023, 6, 1, 2), synthetic, manifest])
    finally:
        con.close()
    (settings.published_dir / PUBLICATION).mkdir(exist_ok=True)


@pytest.fixture
def report(settings):
    publish_by_hand(settings, synthetic=True)
    result = build_report(settings, with_catalogue=False)
    pages = {name: (result.path / name).read_text(encoding="utf-8") for name in result.pages}
    return result, pages


def _published(settings, sql):
    con = duckdb.connect(str(settings.published_db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_page_per_priority_and_an_overview(report):
    result, pages = report
    assert set(pages) == {"index.html", *(f"{t.table}.html" for t in priority_tables())}
    assert "No figures are published for this priority yet." in pages["priority_1_best_start.html"]
    assert result.charts == 3, "two headline trends and one breakdown (CP plans by sex)"
    assert pages["priority_3_safe.html"].count("<svg") == 3


def test_suppressed_figures_show_as_c_never_zero(report, settings):
    _, pages = report
    safe = pages["priority_3_safe.html"]
    # Westminster 2021-22 is 3 of 12: primary suppression.
    assert _published(settings, f"select value_published, value from published.outcome_measures where area_code = '{WCC}' and period_label = '2021-22' and measure_id = 'P3_REREFERRAL_12M'") == [("c", None)]
    section = safe[safe.index('<section class="measure" id="p3-rereferral-12m"') :]
    table = section[section.index("<details><summary>Figures in this chart</summary>") :]
    westminster_row = re.search(r'<tr><th scope="row">Westminster</th>(.*?)</tr>', table).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', westminster_row)
    assert cells == ["20.0%", '<span class="symbol">c</span>', "22.0%"]
    assert 'class="gap-symbol"' in safe
    assert "Westminster: % 2022-23" not in safe
    assert "Westminster: percentage: 22.0% in 2022-23 and c in 2021-22; no direction is shown" in safe


def test_directions_follow_polarity_and_comparators_and_targets_are_shown(report):
    _, pages = report
    safe = pages["priority_3_safe.html"]
    # Re-referrals, lower is better. Bi-borough 2021-22: (18 + 3) / (100 + 12) = 18.75% -> 18.8%;
    # 2022-23: (15 + 33) / (100 + 150) = 19.2%: up, so a worsening.
    assert "Bi-borough: percentage increased from 18.8% in 2021-22 to 19.2% in 2022-23: a worsening (lower is better)." in safe
    # RBKC's 18 of 100 in 2021-22 is suppressed too (secondary: with the bi-borough's 21 of 112 it
    # would give Westminster's 3 away), so RBKC has no direction either.
    assert "Kensington and Chelsea: percentage: 15.0% in 2022-23 and c in 2021-22; no direction is shown" in safe
    # CP plans: context, so up is neither good nor bad.
    assert "Kensington and Chelsea: number increased from 40 in 2021-22 to 50 in 2022-23 (a measure of need or volume" in safe
    # London 17.5 and England 21.0, 21.5 as dashed lines and in the chart's table.
    assert 'stroke-dasharray="8 4"' in safe and ">London</th>" in safe and ">England</th>" in safe
    overview = pages["index.html"]
    assert '<td class="num">17.5%</td><td class="num">21.5%</td>' in overview
    # Targets: RBKC 15.0% against 16 (lower is better) is green; WCC 22.0% against 20 is red.
    assert '<span class="rag rag-green">Green: target met</span>' in safe
    assert '<span class="rag rag-red">Red: target not met</span>' in safe
    # Footnotes quote the catalogue.
    assert "Referrals within 12 months of a previous referral." in safe


def test_only_published_tables_are_read(report):
    _, pages = report
    for name, html in pages.items():
        assert "987654" not in html and "987,654" not in html, name


def test_the_synthetic_banner_and_offline_pages(report, settings):
    _, pages = report
    for html in pages.values():
        assert "SYNTHETIC DATA" in html
        assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
        assert "default-src 'none'" in html
    real = settings.data_dir / "real"
    other = Settings(data_dir=real)
    publish_by_hand(other, synthetic=False)
    rebuilt = build_report(other, with_catalogue=False)
    assert "SYNTHETIC DATA" not in (rebuilt.path / "index.html").read_text(encoding="utf-8")


def test_latest_pointer_and_rebuild(report, settings):
    result, _ = report
    latest = settings.published_dir / "report"
    assert latest.is_symlink() and latest.resolve() == result.path.resolve()
    (result.path / "stale.html").write_text("from an earlier build", encoding="utf-8")
    again = build_report(settings, with_catalogue=False)
    assert again.path == result.path and not (again.path / "stale.html").exists()
    assert (latest / "index.html").exists()
    assert not [p for p in (settings.published_dir / PUBLICATION).iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_no_publication_is_a_clear_error(settings):
    with pytest.raises(ReportInputError, match="No published database"):
        build_report(settings, with_catalogue=False)


def test_the_golden_run_publishes_its_report(golden_run):
    settings = golden_run
    publication_id, synthetic = _published(settings, "select publication_id, synthetic from published.publication_log order by published_at desc limit 1")[0]
    folder = settings.published_dir / publication_id / "report"
    summary = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert summary["publication_id"] == publication_id and summary["synthetic"] == synthetic
    # The tiny fixture is hand-written, not generated: no synthetic banner.
    assert ("SYNTHETIC DATA" in (folder / "index.html").read_text(encoding="utf-8")) == synthetic
    assert {f"{t.table}.html" for t in priority_tables()} <= set(summary["pages"])
    assert summary["charts"] > 0
    assert (settings.published_dir / "report").resolve() == folder.resolve()
    catalogue = folder / "data_catalogue.html"
    assert summary["data_catalogue"] and catalogue.exists()
    html = catalogue.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "outcome_measures" in html


def test_the_catalogue_is_kept_across_parses_of_the_same_project(tmp_path):
    """A re-parse stamps a new time on every node; the catalogue's key must not move with it,
    but must move when what the project says changes."""
    from pipelines.assets.dbt import dbt_project
    from pipelines.report.dbt_docs import project_key

    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))

    def key_of(content: dict) -> str:
        path = tmp_path / "manifest.json"
        path.write_text(json.dumps(content), encoding="utf-8")
        return project_key(path)

    original = key_of(manifest)
    manifest["metadata"]["generated_at"] = "2030-01-01T00:00:00Z"
    manifest["metadata"]["invocation_id"] = "another-parse"
    for node in manifest["nodes"].values():
        node["created_at"] = node.get("created_at", 0) + 3600
    assert key_of(manifest) == original
    model = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model")
    model["description"] += " (changed)"
    assert key_of(manifest) != original
    manifest["metadata"]["dbt_version"] = "0.0.0"
    model["description"] = model["description"].removesuffix(" (changed)")
    assert key_of(manifest) != original
