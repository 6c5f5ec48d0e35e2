"""A failed validation blocks publication and leaves the last publication byte-identical."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.publication.publish import published_fingerprint
from tests.conftest import check_results, clone_data, failed_steps, run_nightly

pytestmark = pytest.mark.slow

MANUAL_HEADER = "measure_id,area_code,period_type,period_start,period_end,period_label,statistic,breakdown,breakdown_value,numerator,denominator,value,unit,source_note,entered_by\n"


def _deliver_manual(settings, extract_id: str, line: str) -> None:
    folder = settings.raw_dir / "manual" / extract_id
    folder.mkdir(parents=True)
    (folder / "manual_measures.csv").write_text(MANUAL_HEADER + line + "\n", encoding="utf-8")


def test_percentage_above_100_blocks_publication(golden_run, settings):
    # Start from the tiny fixture ingested, built and published once (a copy of the golden run).
    clone_data(golden_run, settings)
    before = published_fingerprint(settings.published_db_path)
    con = duckdb.connect(str(settings.published_db_path), read_only=True)
    publications = con.execute("select count(*) from published.publication_log").fetchall()[0][0]
    con.close()

    # An analyst types 101 for a survey percentage: a new manual extract arrives.
    _deliver_manual(settings, "2023-05-16", "P3_FEEL_SAFE,E09000020,financial_year,2022-04-01,2023-03-31,2022-23,percent,all,all,101,100,101,percent,Survey,A. Analyst")
    second = run_nightly(settings)

    assert not second.success
    checks = check_results(second)
    assert checks["gx_outcome_measures"] is False
    publish_steps = [e for e in second.all_events if e.step_key == "published__outcomes_database"]
    assert not any(e.event_type_value == "STEP_SUCCESS" for e in publish_steps), "publication ran despite a failed check"
    assert not any(e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == ["published", "outcomes_database"] for e in second.all_events)
    # The message names the measure, the borough and the period.
    description = next(
        e.event_specific_data.description
        for e in second.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.asset_check_key.name == "gx_outcome_measures"
    )
    assert "P3_FEEL_SAFE / E09000020 / 2022-23" in description
    assert "between 0 and 100" in description
    # The previous publication is untouched, byte for byte, and no candidate is left behind.
    assert published_fingerprint(settings.published_db_path) == before
    assert not list(settings.published_dir.glob(".candidate-*"))
    con = duckdb.connect(str(settings.published_db_path), read_only=True)
    assert con.execute("select count(*) from published.publication_log").fetchall()[0][0] == publications
    con.close()

    # The failure is kept in the validation history of the build database.
    build = duckdb.connect(str(settings.warehouse_path), read_only=True)
    failed = build.execute("select count(*) from dq.validation_results where not passed and message like '%P3_FEEL_SAFE%'").fetchall()[0][0]
    build.close()
    assert failed >= 1

    # Correct the figure in a newer delivery: the next run publishes again.
    _deliver_manual(settings, "2023-05-17", "P3_FEEL_SAFE,E09000020,financial_year,2022-04-01,2023-03-31,2022-23,percent,all,all,81,100,81,percent,Survey,A. Analyst")
    third = run_nightly(settings)
    assert third.success, failed_steps(third)
    assert published_fingerprint(settings.published_db_path) != before


def test_second_run_with_nothing_new_changes_nothing(golden_run, settings):
    clone_data(golden_run, settings)
    before = published_fingerprint(settings.published_db_path)
    again = run_nightly(settings)
    assert again.success, failed_steps(again)
    assert published_fingerprint(settings.published_db_path) == before
    statuses = [
        e.event_specific_data.materialization.metadata["status"].value
        for e in again.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == ["raw", "mosaic", "ssd_person"]
    ]
    assert statuses == ["unchanged"]
