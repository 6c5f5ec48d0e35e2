"""Calibration report (issue 3): published figures against the publication's.

A small published database is written with DuckDB in a temporary folder (the same table and
columns the publication has), so the lookups, tolerances and the command line run for real.
"""

from __future__ import annotations

import csv

import duckdb
import pytest

from pipelines.calibration import CalibrationError, Comparison, Figure, compare, load_figures, run, summary_lines
from pipelines.cli import main
from pipelines.settings import Settings

CODES = {"RBKC": "E09000020", "WCC": "E09000033", "BI": "BIBOROUGH"}


def figure(figure_id="F000-L0179-01", measure_id="P3_REFERRALS", statistic="count", area="RBKC", period_type="financial_year",
           period_label="2022-23", compare="value", published_value=1855.0, published_unit="count") -> Figure:
    return Figure(
        figure_id=figure_id, measure_id=measure_id, statistic=statistic, area=area, period_type=period_type, period_label=period_label,
        breakdown="all", breakdown_value="all", compare=compare, published_value=published_value, published_unit=published_unit,
        document="000_73afe560627db56d.txt", line=179, quote="(1855)", note="",
    )


@pytest.mark.parametrize(
    ("published", "unit", "synthetic", "within"),
    [
        (1855, "count", 1855 * 1.10, True),  # exactly 10% over
        (1855, "count", 1855 * 1.11, False),
        (196, "rate_per_100k", 176.5, True),  # 9.9% under
        (28.3, "percent", 31.3, True),  # 3.0 points
        (28.3, "percent", 31.4, False),  # 3.1 points
        (100, "percent", 97.2, True),  # percentages use points, not a relative difference
        (0, "count", 0, True),
        (0, "count", 1, False),  # nothing is within 10% of zero except zero
    ],
)
def test_tolerance_is_three_points_for_percentages_and_ten_percent_otherwise(published, unit, synthetic, within):
    result = Comparison(figure(published_value=float(published), published_unit=unit), float(synthetic))
    assert result.within_tolerance is within
    assert result.status == ("within" if within else "outside")


def test_a_figure_without_its_row_is_not_computed():
    result = Comparison(figure(), None)
    assert (result.status, result.within_tolerance, result.difference) == ("not_computed", None, None)


@pytest.fixture
def published_db(tmp_path):
    path = tmp_path / "outcomes.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        """
        create schema marts;
        create table marts.outcome_measures (
            measure_id varchar, statistic varchar, area_code varchar, period_type varchar, period_label varchar,
            breakdown varchar, breakdown_value varchar, numerator double, denominator double, value double);
        insert into marts.outcome_measures values
            ('P3_REFERRALS', 'count', 'E09000020', 'financial_year', '2022-23', 'all', 'all', 1900, null, 1900),
            ('P3_REFERRALS', 'count', 'E09000020', 'quarter', '2022-23 Q1', 'all', 'all', 480, null, 480),
            ('P3_CLA_STABILITY_LONG', 'percent', 'E09000020', 'snapshot', '31 Mar 2023', 'all', 'all', 7, 12, 58.333333),
            ('P3_REREFERRAL_12M', 'percent', 'BIBOROUGH', 'financial_year', '2022-23', 'all', 'all', 900, 4500, 20.0);
        create schema published;
        create table published.publication_log (publication_id varchar, published_at timestamp, synthetic boolean);
        insert into published.publication_log values ('p1', '2023-05-16 02:00:00', true);
        """
    )
    con.close()
    return path


def test_compare_reads_value_numerator_or_denominator_of_the_named_row(published_db):
    figures = [
        figure(),  # 1900 against 1855: +45, 2.4% -> within
        figure("F000-L0194-01", "P3_CLA_STABILITY_LONG", "percent", period_type="snapshot", period_label="31 Mar 2023", published_value=54.0, published_unit="percent"),
        figure("F000-L0194-02", "P3_CLA_STABILITY_LONG", "percent", period_type="snapshot", period_label="31 Mar 2023", compare="numerator", published_value=7.0),
        figure("F000-L0194-03", "P3_CLA_STABILITY_LONG", "percent", period_type="snapshot", period_label="31 Mar 2023", compare="denominator", published_value=13.0),
        figure("X-BI", "P3_REREFERRAL_12M", "percent", area="BI", published_value=21.0, published_unit="percent"),
        figure("X-MISSING", "P3_REFERRALS", "count", area="WCC"),
    ]
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        results = {r.figure.figure_id: r for r in compare(con, figures, CODES)}
    finally:
        con.close()
    assert results["F000-L0179-01"].synthetic_value == 1900 and results["F000-L0179-01"].difference == 45
    assert results["F000-L0179-01"].relative_difference == pytest.approx(45 / 1855)
    # 58.3% against 54%: 4.3 points, outside 3 points.
    assert results["F000-L0194-01"].synthetic_value == pytest.approx(58.333333) and results["F000-L0194-01"].status == "outside"
    assert results["F000-L0194-02"].synthetic_value == 7 and results["F000-L0194-02"].status == "within"
    # Cohort 12 against 13: 7.7% under, within 10%.
    assert results["F000-L0194-03"].synthetic_value == 12 and results["F000-L0194-03"].status == "within"
    assert results["X-BI"].synthetic_value == 20 and results["X-BI"].status == "within"
    assert results["X-MISSING"].status == "not_computed"


def test_unknown_areas_bad_columns_and_ambiguous_rows_are_refused(published_db, tmp_path):
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        with pytest.raises(CalibrationError, match="unknown area 'LONDON'"):
            compare(con, [figure(area="LONDON")], CODES)
        with pytest.raises(CalibrationError, match="compare must be"):
            compare(con, [figure(compare="value; drop table x")], CODES)
    finally:
        con.close()
    # Two rows for one mapping (a breakdown the mapping forgot to name) must not pick one silently.
    twice = tmp_path / "twice.duckdb"
    con = duckdb.connect(str(twice))
    con.execute("create schema marts; create table marts.outcome_measures (measure_id varchar, statistic varchar, area_code varchar, period_type varchar, "
                "period_label varchar, breakdown varchar, breakdown_value varchar, numerator double, denominator double, value double)")
    con.execute("insert into marts.outcome_measures values ('P3_REFERRALS', 'count', 'E09000020', 'financial_year', '2022-23', 'all', 'all', 1, null, 1), "
                "('P3_REFERRALS', 'count', 'E09000020', 'financial_year', '2022-23', 'all', 'all', 2, null, 2)")
    try:
        with pytest.raises(CalibrationError, match="2 rows of marts.outcome_measures match"):
            compare(con, [figure()], CODES)
    finally:
        con.close()


def test_summary_counts_within_outside_and_waiting():
    results = [
        Comparison(figure("A"), 1855.0),
        Comparison(figure("B"), 3000.0),
        Comparison(figure("C"), None),
    ]
    lines = summary_lines(results, synthetic=True)
    assert lines[0].startswith("Calibration (synthetic data): 1 of 2 computed figures within tolerance")
    assert "1 of 3 mapped figures await their measure" in lines[0]
    assert lines[1] == "  outside: B P3_REFERRALS/count RBKC 2022-23: published 1855, synthetic 3000"


def test_the_committed_map_loads_and_names_each_figure_once():
    figures = load_figures()
    assert len({f.figure_id for f in figures}) == len(figures) >= 60
    # The issue 3 headline figures are all mapped.
    mapped = {(f.measure_id, f.statistic, f.area, f.period_label) for f in figures}
    for key in [
        ("P3_REFERRALS", "count", "RBKC", "2022-23"),
        ("P3_REREFERRAL_12M", "percent", "WCC", "2022-23"),
        ("P3_S47_ENQUIRIES", "count_completed", "WCC", "2022-23"),
        ("P3_CP_PLANS", "count", "RBKC", "31 Mar 2021"),
        ("P3_CLA_STABILITY_LONG", "percent", "WCC", "31 Mar 2023"),
        ("P4_CARE_LEAVERS", "count", "WCC", "31 Mar 2023"),
        ("P4_LAC_CL_EET", "pct_care_leavers_eet", "RBKC", "2022-23"),
        ("P3_YJ_FTE", "rate_per_100k", "WCC", "12 months to Sep 2022"),
    ]:
        assert key in mapped, key


def test_load_figures_rejects_a_bad_row(tmp_path):
    path = tmp_path / "calibration_figures.csv"
    rows = list(csv.DictReader(load_figures.__globals__["FIGURES_PATH"].open(encoding="utf-8")))[:2]
    rows[1] = {**rows[0], "published_value": "about a third"}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(CalibrationError) as caught:
        load_figures(path)
    assert "line 3 (F000-L0179-01): figure mapped twice" in str(caught.value)
    assert "published_value 'about a third' is not a number" in str(caught.value)


def test_command_writes_the_report_and_fails_clearly_without_a_publication(tmp_path, monkeypatch, capsys, published_db):
    monkeypatch.setenv("OUTCOMES_DATA_DIR", str(tmp_path / "data"))
    assert main(["calibration"]) == 1
    assert "No publication at" in capsys.readouterr().out

    settings = Settings(data_dir=tmp_path / "data")
    results, lines, out = run(settings, published=published_db)
    assert out == settings.published_dir / "calibration.csv"
    report = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(report) == len(results) == len(load_figures())
    referrals = next(r for r in report if r["figure_id"] == "F000-L0179-01")
    assert (referrals["published_value"], referrals["synthetic_value"], referrals["difference"], referrals["within_tolerance"]) == ("1855", "1900", "45", "true")
    assert referrals["quote"].startswith("The number of referrals")
    # Everything this small database lacks is listed as waiting for its measure, not as a miss.
    assert {r["status"] for r in report if r["figure_id"] != "F000-L0179-01"} <= {"not_computed", "within", "outside"}
    assert sum(r["status"] == "not_computed" for r in report) >= len(report) - 5
