"""The suite files, the accepted-warnings file and the plausibility rules, on small hand-made data."""

from __future__ import annotations

import json
from datetime import date

import dagster as dg
import duckdb
import pytest

from pipelines.assets.checks import build_gx_checks
from pipelines.resources import WarehouseResource
from pipelines.settings import EXPECTATIONS_DIR
from pipelines.validation.accepted_warnings import AcceptedWarningsError, load_accepted_warnings
from pipelines.validation.datasets import change_z, plausibility
from pipelines.validation.gx_runner import DatasetContext, run_suite
from pipelines.validation.suites import SuiteError, load_suites


def test_every_suite_loads_and_targets_an_asset_of_the_code_location():
    from pipelines.definitions import defs

    keys = defs.resolve_asset_graph().get_all_asset_keys()
    suites = load_suites()
    assert {s.name for s in suites} >= {
        "outcome_measures", "biborough_additivity", "breakdown_partitions", "completeness", "cross_checks", "plausibility",
        "published_outcome_measures", "disclosure_audit", "measure_coverage",
    }
    missing = [s.name for s in suites if dg.AssetKey(s.asset_path) not in keys]
    assert not missing, f"suites whose target is not an asset: {missing}"
    checks = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    assert {s.check_name for s in suites if "build" in s.stages} <= checks


def test_only_the_plausibility_suite_warns_and_it_does_not_block():
    suites = {s.name: s for s in load_suites()}
    assert {name for name, s in suites.items() if s.severity == "warning"} == {"plausibility"}
    from pipelines.definitions import defs

    specs = {spec.key.name: spec for check in defs.asset_checks for spec in check.check_specs}
    assert specs["gx_plausibility"].blocking is False
    assert specs["gx_outcome_measures"].blocking is True and specs["gx_disclosure_audit"].blocking is True


def test_a_malformed_suite_is_refused(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({"name": "bad", "meta": {"target_asset": "marts/x"}, "expectations": [{"type": "t", "kwargs": {}}]}))
    with pytest.raises(SuiteError, match="exactly one of 'dataset_sql'"):
        load_suites(tmp_path)


@pytest.mark.parametrize(("regex", "reason"), [("^(a|b)$", "has a capturing group"), ("^(a$", "does not compile")])
def test_a_regex_that_captures_or_does_not_compile_is_refused(tmp_path, regex, reason):
    """GX matches a regex with pandas' `str.contains`, which warns at every validation when the
    pattern captures; the project's own suites use `(?:...)` and load."""
    suite = {"name": "rx", "meta": {"target_asset": "marts/x", "dataset_sql": "select 1"},
             "expectations": [{"type": "expect_column_values_to_match_regex", "kwargs": {"column": "c", "regex": regex}}]}
    (tmp_path / "rx.json").write_text(json.dumps(suite))
    with pytest.raises(SuiteError, match=reason):
        load_suites(tmp_path)
    suite["expectations"][0]["kwargs"]["regex"] = "^(?:a|b)$"
    (tmp_path / "rx.json").write_text(json.dumps(suite))
    assert [s.name for s in load_suites(tmp_path)] == ["rx"]
    assert load_suites()  # every suite of the project passes the rule


def test_accepted_warnings_are_checked_when_read(tmp_path):
    good = tmp_path / "accepted.yml"
    good.write_text(
        "accepted:\n"
        "  - {measure: P3_X, area: E09000020, period: '2022-23', statistic: count, reason: New policy, who: A. Analyst, when: 2023-05-16}\n"
    )
    [entry] = load_accepted_warnings(good)
    assert entry.when == date(2023, 5, 16)
    assert entry.covers("P3_X", "E09000020", "2022-23", "count", "previous_period")
    assert not entry.covers("P3_X", "E09000033", "2022-23", "count", "previous_period")
    bad = tmp_path / "bad.yml"
    bad.write_text("accepted:\n  - {measure: P3_X, area: E09000020, period: '2022-23', reason: r, when: 2023-05-16}\n")
    with pytest.raises(AcceptedWarningsError, match="entry 1 \\(P3_X\\) lacks who"):
        load_accepted_warnings(bad)
    # The file in the repository is valid.
    load_accepted_warnings(EXPECTATIONS_DIR / "accepted_warnings.yml")


def test_change_in_standard_errors():
    # Counts as Poisson: 40 -> 80 is 40 / sqrt(120) = 3.65 standard errors.
    assert change_z("count", 80, None, 40, None) == pytest.approx(40 / 120**0.5)
    # Percentages as two proportions: 10/20 vs 15/20, pooled p = 25/40 = 0.625,
    # se = sqrt(0.625 x 0.375 x (1/20 + 1/20)) = 0.1531; (0.75 - 0.5) / 0.1531 = 1.63.
    assert change_z("percent", 15, 20, 10, 20) == pytest.approx(0.25 / (0.625 * 0.375 * 0.1) ** 0.5)
    assert change_z("mean", 1, 2, 3, 4) is None


def _marts(con, rows):
    con.execute("create schema if not exists marts")
    con.execute(
        """create or replace table marts.outcome_measures (measure_id varchar, area_code varchar, period_type varchar, period_end date,
           period_label varchar, statistic varchar, breakdown varchar, breakdown_value varchar, numerator double, denominator double,
           value double, unit varchar, value_source varchar)"""
    )
    con.executemany("insert into marts.outcome_measures values (?, ?, ?, ?, ?, ?, 'all', 'all', ?, ?, ?, ?, 'computed')", rows)


def test_plausibility_warns_on_a_jump_and_a_person_can_accept_it(tmp_path):
    # RBKC's count goes 100 -> 200 (+100, +100%, 100 / sqrt(300) = 5.8 standard errors): beyond
    # the count bounds (20 and 50%, 3 se). WCC goes 100 -> 110 (+10): within. A percentage 50%
    # of 10 -> 90% of 10 moves 40 points, beyond 20, but only 1.9 standard errors: no warning.
    con = duckdb.connect()
    _marts(
        con,
        [
            ("P3_X", "E09000020", "financial_year", date(2022, 3, 31), "2021-22", "count", 100, None, 100, "count"),
            ("P3_X", "E09000020", "financial_year", date(2023, 3, 31), "2022-23", "count", 200, None, 200, "count"),
            ("P3_X", "E09000033", "financial_year", date(2022, 3, 31), "2021-22", "count", 100, None, 100, "count"),
            ("P3_X", "E09000033", "financial_year", date(2023, 3, 31), "2022-23", "count", 110, None, 110, "count"),
            ("P3_X", "E09000033", "financial_year", date(2022, 3, 31), "2021-22", "percent", 5, 10, 50, "percent"),
            ("P3_X", "E09000033", "financial_year", date(2023, 3, 31), "2022-23", "percent", 9, 10, 90, "percent"),
        ],
    )
    folder = tmp_path / "expectations"
    folder.mkdir()
    (folder / "plausibility_bounds.csv").write_text((EXPECTATIONS_DIR / "plausibility_bounds.csv").read_text())
    (folder / "accepted_warnings.yml").write_text("accepted: []\n")
    ctx = DatasetContext(con=con, schema="marts", stage="build", table=None, settings=None, expectations_dir=folder)
    rows = plausibility(ctx)
    flagged = rows[~rows.plausible]
    assert list(zip(flagged.measure_id, flagged.area_code, flagged.period_label, flagged.statistic)) == [("P3_X", "E09000020", "2022-23", "count")]
    assert "200 against 100 in 2021-22" in flagged.iloc[0].detail

    # The suite turns it into a warning naming measure, area and period.
    [suite] = [s for s in load_suites() if s.name == "plausibility"]
    outcome = run_suite(con, suite, run_id="t")
    assert outcome.success and len(outcome.warnings) == 1
    assert "P3_X / E09000020 / 2022-23" in outcome.warnings[0].message

    # Accepted: no longer flagged, and the acceptance is in the detail.
    (folder / "accepted_warnings.yml").write_text(
        "accepted:\n  - {measure: P3_X, area: E09000020, period: '2022-23', reason: Boundary change, who: A. Analyst, when: 2023-05-16}\n"
    )
    rows = plausibility(ctx)
    accepted = rows[(rows.area_code == "E09000020") & (rows.statistic == "count")].iloc[0]
    assert accepted.plausible and accepted.accepted and not accepted.within_bounds
    assert "accepted by A. Analyst on 2023-05-16: Boundary change" in accepted.detail


def test_data_docs_pages_reuse_compiled_templates_and_keep_the_project_styles(tmp_path):
    """Each suite's Data Docs page is rendered by GX's view with the templates compiled once per
    process (pipelines/validation/gx_views.py); the pages still carry the project's own styles,
    which GX hands only to a view whose signature asks for them."""
    from pathlib import Path

    import pandas as pd

    from pipelines.settings import Settings
    from pipelines.validation import gx_views
    from pipelines.validation.gx_runner import _validate
    from pipelines.validation.suites import Suite

    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    frame = pd.DataFrame({"a": [1, 2, 3]})
    pages = []
    for name in ("first", "second"):
        suite = Suite(name, Path(f"{name}.json"), "t", None, "A suite.", None, None, ("build",), "error", False,
                      [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}])
        _results, url = _validate(suite, frame, settings=settings, run_name="run")
        pages.append(Path(url.removeprefix("file://")).read_text(encoding="utf-8"))
        if name == "first":
            compiled = dict(gx_views._COMPILED._compiled)
    assert compiled, "the first page compiled no template into the shared cache"
    assert gx_views._COMPILED._compiled.keys() == compiled.keys()  # the second compiled nothing new
    for page in pages:
        assert "/*index page*/" in page  # the project's custom stylesheet, included by GX's template


def test_data_docs_render_the_page_asked_for_without_listing_the_history(tmp_path):
    """A suite's new page is found by its key, not by listing every stored result
    (gx_views.KeyedSiteSectionBuilder): with three runs of history, the third run's page is the
    one linked and written, no listing of the store is made, and a full rebuild still renders
    every run's page."""
    from pathlib import Path

    import pandas as pd

    from pipelines.settings import Settings
    from pipelines.validation.data_docs import SITE_NAME, file_context, site_directory
    from pipelines.validation.gx_runner import _validate
    from pipelines.validation.suites import Suite

    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    suite = Suite("history", Path("history.json"), "t", None, "A suite.", None, None, ("build",), "error", False,
                  [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}])
    for run in ("run-1", "run-2"):
        _validate(suite, pd.DataFrame({"a": [1, 2]}), settings=settings, run_name=run)
    pages = site_directory(settings) / "validations"
    for page in list(pages.rglob("*.html")):
        page.unlink()

    store = file_context(settings).validation_results_store
    listings = []
    real_list_keys = type(store).list_keys
    type(store).list_keys = lambda self: listings.append(1) or real_list_keys(self)
    try:
        # (it passes: a failed suite refreshes the index too, which does list the results)
        _results, url = _validate(suite, pd.DataFrame({"a": [1, 2]}), settings=settings, run_name="run-3")
    finally:
        type(store).list_keys = real_list_keys
    written = list(pages.rglob("*.html"))
    assert [p.relative_to(pages).parts[1] for p in written] == ["run-3"], written
    assert Path(url.removeprefix("file://")) == written[0]
    assert listings == []

    file_context(settings).build_data_docs(site_names=[SITE_NAME])
    assert sorted(p.relative_to(pages).parts[1] for p in pages.rglob("*.html")) == ["run-1", "run-2", "run-3"]


def test_a_suite_that_cannot_run_fails_its_own_check_and_the_others_still_run(tmp_path, settings):
    """The suites of one step share it (pipelines/assets/checks.py): a suite whose rows cannot be
    read fails its own check with the error, the step's other suites still report, and the
    blocking failure keeps everything downstream from running."""

    folder = tmp_path / "expectations"
    folder.mkdir()
    not_null = [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x"}}]
    for name, sql in (("readable", "select x from {schema}.tiny"), ("unreadable", "select x from {schema}.no_such_table")):
        (folder / f"{name}.json").write_text(json.dumps({
            "name": name,
            "meta": {"description": name, "target_asset": "marts/tiny", "dataset_sql": sql, "stages": ["build"]},
            "expectations": not_null,
        }))

    @dg.asset(key=["marts", "tiny"])
    def tiny(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create schema if not exists marts; create or replace table marts.tiny as select 1 as x")

    @dg.asset(key=["published", "downstream"], deps=[tiny.key])
    def downstream() -> None:
        pass

    checks = build_gx_checks({"models": [tiny.key]}, load_suites(folder))
    assert [c.node_def.name for c in checks] == ["models_gx_suites"]
    result = dg.materialize(
        [tiny, downstream, *checks],
        resources={"warehouse": WarehouseResource(data_dir=str(settings.data_dir))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    evaluations = {e.event_specific_data.asset_check_key.name: e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert {name: e.passed for name, e in evaluations.items()} == {"gx_readable": True, "gx_unreadable": False}
    assert "no_such_table" in evaluations["gx_unreadable"].description
    materialised = {e.asset_key.to_user_string() for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"}
    assert materialised == {"marts/tiny"}, "a blocking check that could not run let the downstream asset run"


def test_a_suite_keeps_every_failing_row_and_only_a_sample_of_passing_ones(tmp_path):
    """Expectations run at GX's BASIC result format, and those that failed run again at COMPLETE
    (gx_runner._run_expectations): the failure message names the failing rows by their measure
    keys, the stored result lists every failing row, and a passing expectation carries no row
    list. Validating does not rewrite the GX project's YAML (it did, several times a suite)."""
    from pathlib import Path

    import pandas as pd

    from pipelines.settings import Settings
    from pipelines.validation.data_docs import project_directory
    from pipelines.validation.gx_runner import _message, _validate
    from pipelines.validation.suites import Suite

    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    frame = pd.DataFrame({
        "measure_id": [f"M{i}" for i in range(30)], "area_code": "E09000020", "period_label": "2022-23",
        "statistic": "count", "breakdown": "all", "breakdown_value": "all",
        "value": [5.0] * 27 + [-1.0, -2.0, -3.0], "share": [0.5] * 30,
    })
    suite = Suite("mixed", Path("mixed.json"), "t", None, "A suite.", None, None, ("build",), "error", False, [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "value", "min_value": 0}, "meta": {"description": "Counts are not negative"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "share", "min_value": 0, "max_value": 1}},
    ])
    _validate(suite, frame, settings=settings, run_name="first")  # the project, its source and asset
    project_yaml = project_directory(settings) / "gx" / "great_expectations.yml"
    written = project_yaml.stat().st_mtime_ns, project_yaml.read_text(encoding="utf-8")

    results, url = _validate(suite, frame, settings=settings, run_name="second")
    failing, passing = results
    assert not failing.success and passing.success
    assert sorted(failing.result["unexpected_index_list"]) == [27, 28, 29]
    assert "unexpected_index_list" not in passing.result
    assert (project_yaml.stat().st_mtime_ns, project_yaml.read_text(encoding="utf-8")) == written
    assert url and Path(url.removeprefix("file://")).is_file()

    message = _message({"type": "expect_column_values_to_be_between", "meta": {"description": "Counts are not negative"}}, failing.result, frame)
    assert message.startswith("Counts are not negative: 3 row(s) fail (M27 / E09000020 / 2022-23 / count / all / all; M28"), message
