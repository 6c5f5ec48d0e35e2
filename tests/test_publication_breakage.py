"""Deliberately broken tables are caught, block publication with a message naming the measure,
borough and period, and leave the previous publication byte-identical.

The tiny fixture is run through the nightly job once (the session's golden run); each test copies the
resulting data folder, breaks the build database between the dbt build and the publish step,
and runs the steps after dbt (disclosure control, the Great Expectations checks of the marts and
published tables, the publish step) as the nightly job would.
"""

from __future__ import annotations

import os

import dagster as dg
import duckdb
import pytest

from pipelines.publication.publish import PublicationError, publish, published_fingerprint
from pipelines.settings import Settings
from tests.conftest import check_results, clone_data, failed_steps

pytestmark = pytest.mark.slow
PUBLISH_KEY = dg.AssetKey(["published", "outcomes_database"])


@pytest.fixture
def copy(golden_run, tmp_path, monkeypatch) -> Settings:
    """A private copy of the golden run's data folder: the tiny fixture ingested, built and
    published once (symlinks kept: `latest`)."""
    target = tmp_path / "data"
    monkeypatch.setenv("OUTCOMES_DATA_DIR", str(target))
    return clone_data(golden_run, Settings(data_dir=target))


def _state(settings: Settings) -> dict:
    """What must not change when publication is blocked."""
    con = duckdb.connect(str(settings.published_db_path), read_only=True)
    log = con.execute("select publication_id from published.publication_log order by published_at").fetchall()
    con.close()
    return {
        "database": published_fingerprint(settings.published_db_path),
        "latest": os.readlink(settings.published_dir / "latest"),
        "folders": sorted(p.name for p in settings.published_dir.iterdir() if p.is_dir() and not p.is_symlink()),
        "log": log,
    }


def _break(settings: Settings, *statements: str) -> None:
    con = duckdb.connect(str(settings.warehouse_path))
    for sql in statements:
        con.execute(sql)
    con.close()


def run_after_dbt(settings: Settings, *, rebuild_published: bool = True) -> dg.ExecuteInProcessResult:
    """The nightly job's steps after the dbt build: published tables (unless told not to, to
    keep a broken published table), every GX check of the marts and published tables, publish."""
    from pipelines.assets.publish import PUBLISHED_TABLE_KEYS
    from pipelines.definitions import defs
    from pipelines.resources import WarehouseResource

    job = defs.resolve_job_def("nightly")
    graph = defs.resolve_asset_graph()
    assets = {PUBLISH_KEY, *(PUBLISHED_TABLE_KEYS if rebuild_published else [])}
    checks = {k for k in graph.asset_check_keys if k.name.startswith("gx_") and k.asset_key.path[0] in ("marts", "published")}
    return job.get_subset(asset_selection=assets, asset_check_selection=checks).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": WarehouseResource(data_dir=str(settings.data_dir))},
        raise_on_error=False,
    )


def _check_description(result: dg.ExecuteInProcessResult, name: str) -> str:
    return next(
        e.event_specific_data.description
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.asset_check_key.name == name
    )


def _assert_blocked(result: dg.ExecuteInProcessResult, settings: Settings, before: dict) -> None:
    assert not result.success
    assert not any(
        e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key == PUBLISH_KEY for e in result.all_events
    ), "publication ran despite a failed check"
    assert _state(settings) == before, "the previous publication changed"
    assert not list(settings.published_dir.glob(".candidate-*")) and not list(settings.published_dir.glob(".staging-*"))


def test_the_untouched_copy_republishes_nothing(copy):
    # Control for the tests below: with nothing broken, every check passes and the publish
    # step finds nothing new (so a blocked run below is blocked by the breakage alone).
    before = _state(copy)
    result = run_after_dbt(copy)
    assert result.success, failed_steps(result)
    assert all(check_results(result).values()) or not [n for n, ok in check_results(result).items() if not ok and n != "gx_plausibility"]
    assert _state(copy) == before


def test_the_publish_step_does_not_repeat_checks_its_run_has_passed(copy):
    # In the nightly job the build stage has validated the same content in this run: the
    # candidate, proved equal to it by content hash, is not validated again, and its manifest
    # says where each suite was run. (No published database: there is something to publish.)
    import json

    from pipelines.validation.gx_runner import suites_for_stage

    copy.published_db_path.unlink()
    result = run_after_dbt(copy)
    assert result.success, failed_steps(result)
    manifest = json.loads((copy.published_dir / "latest" / "manifest.json").read_text())
    candidate = manifest["validation"]["candidate"]
    assert sorted(v["suite"] for v in candidate) == sorted(s.name for s in suites_for_stage("candidate"))
    reused = {v["suite"] for v in candidate if v["validated_on"] == "build database, identical content"}
    passed_in_build = {v["suite"] for v in manifest["validation"]["build"] if v["failed"] == 0}
    assert reused and reused == passed_in_build & {v["suite"] for v in candidate}
    # Run again: only suites the build stage recorded nothing for, having no rows to validate.
    assert all(v["rows"] == 0 for v in candidate if v["suite"] not in reused)
    con = duckdb.connect(str(copy.published_db_path), read_only=True)
    stages = dict(con.execute("select stage, count(*) from dq.validation_results where run_id = ? group by stage", [result.run_id]).fetchall())
    con.close()
    assert stages.get("build", 0) > 0 and "candidate" not in stages


def test_biborough_total_off_by_one_blocks_publication(copy):
    before = _state(copy)
    # Referrals in 2022-23: RBKC 2 + WCC 2 = 4; the bi-borough row now says 5.
    _break(
        copy,
        """update marts.outcome_measures set numerator = numerator + 1, value = value + 1
           where measure_id = 'P3_REFERRALS' and statistic = 'count' and area_code = 'BIBOROUGH'
             and period_label = '2022-23' and breakdown = 'all'""",
    )
    result = run_after_dbt(copy)
    assert check_results(result)["gx_biborough_additivity"] is False
    description = _check_description(result, "gx_biborough_additivity")
    assert "Bi-borough count (or numerator) equals RBKC + WCC" in description
    assert "P3_REFERRALS / BIBOROUGH / 2022-23 / count" in description
    _assert_blocked(result, copy, before)
    # The failure is in the validation history.
    con = duckdb.connect(str(copy.warehouse_path), read_only=True)
    assert con.execute("select count(*) from dq.validation_results where not passed and message like '%P3_REFERRALS / BIBOROUGH / 2022-23%'").fetchall()[0][0] >= 1
    con.close()


def test_missing_measure_blocks_publication(copy):
    before = _state(copy)
    # Westminster's children looked after at 31 March 2023 go missing from the mart.
    _break(
        copy,
        """delete from marts.outcome_measures
           where measure_id = 'P3_CLA_RATE' and area_code = 'E09000033' and period_label = '31 Mar 2023'""",
    )
    result = run_after_dbt(copy)
    assert check_results(result)["gx_completeness"] is False
    description = _check_description(result, "gx_completeness")
    assert "Every expected figure is present" in description
    assert "P3_CLA_RATE / E09000033 / 31 Mar 2023" in description
    _assert_blocked(result, copy, before)


def test_a_whole_measure_missing_blocks_publication(copy):
    before = _state(copy)
    # Every row of a measure the previous publication had disappears.
    _break(copy, "delete from marts.outcome_measures where measure_id = 'P3_S47_ENQUIRIES'")
    result = run_after_dbt(copy)
    assert check_results(result)["gx_completeness"] is False
    description = _check_description(result, "gx_completeness")
    assert "P3_S47_ENQUIRIES / BIBOROUGH / 2018-19" in description or "P3_S47_ENQUIRIES / E09000020" in description
    _assert_blocked(result, copy, before)


def _small_suppressed_count(settings: Settings) -> tuple:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    row = con.execute(
        """select p.measure_id, p.area_code, p.period_type, p.period_end, p.period_label, p.statistic, p.breakdown, p.breakdown_value, m.value
           from published.outcome_measures as p
           inner join marts.outcome_measures as m using (measure_id, area_code, period_type, period_end, statistic, breakdown, breakdown_value)
           where p.unit = 'count' and p.suppression_reason = 'primary' and m.value = 3 and p.area_code = 'E09000020'
           order by p.measure_id, p.period_end desc limit 1"""
    ).fetchall()
    con.close()
    assert row, "the tiny fixture has a primary-suppressed count of 3 in RBKC"
    return row[0]


def _unsuppress(settings: Settings, key: tuple) -> None:
    measure_id, area_code, period_type, period_end, _, statistic, breakdown, breakdown_value, value = key
    _break(
        settings,
        f"""update published.outcome_measures
            set numerator = {value}, value = {value}, value_published = '{int(value)}', suppression_reason = null, suppression_note = null
            where measure_id = '{measure_id}' and area_code = '{area_code}' and period_type = '{period_type}' and period_end = '{period_end}'
              and statistic = '{statistic}' and breakdown = '{breakdown}' and breakdown_value = '{breakdown_value}'""",
    )


def test_unsuppressed_count_of_three_blocks_publication(copy):
    before = _state(copy)
    key = _small_suppressed_count(copy)
    _unsuppress(copy, key)
    # Published tables are not rebuilt: the broken table goes to the checks and the publish step.
    result = run_after_dbt(copy, rebuild_published=False)
    checks = check_results(result)
    assert checks["gx_published_outcome_measures"] is False and checks["gx_disclosure_audit"] is False
    named = f"{key[0]} / E09000020 / {key[4]}"
    assert "No count of 1 to 5 is shown" in _check_description(result, "gx_published_outcome_measures")
    assert named in _check_description(result, "gx_published_outcome_measures")
    assert named in _check_description(result, "gx_disclosure_audit")
    _assert_blocked(result, copy, before)


def test_the_publish_step_validates_its_candidate_again(copy):
    # Even run on its own, without the Dagster checks, the publish step refuses the broken table.
    before = _state(copy)
    key = _small_suppressed_count(copy)
    _unsuppress(copy, key)
    with pytest.raises(PublicationError) as raised:
        publish(copy, force=True)
    message = str(raised.value)
    assert "failed validation" in message and f"{key[0]} / E09000020 / {key[4]}" in message
    assert _state(copy) == before
    assert not list(copy.published_dir.glob(".candidate-*")) and not list(copy.published_dir.glob(".staging-*"))


def test_a_new_publication_joins_the_log_and_moves_latest(copy):
    import json

    from pipelines.publication.exports import sha256

    before = _state(copy)
    first_folder = copy.published_dir / before["latest"]
    first_files = {p.relative_to(first_folder): p.read_bytes() for p in first_folder.rglob('*') if p.is_file()}
    result = publish(copy, force=True)
    assert result.status == "published"

    after = _state(copy)
    assert after["latest"] == result.publication_id and len(after["log"]) == len(before["log"]) + 1
    assert after["folders"] == sorted([*before["folders"], result.publication_id])
    # The previous publication's files are untouched.
    assert {p.relative_to(first_folder): p.read_bytes() for p in first_folder.rglob('*') if p.is_file()} == first_files

    folder = copy.published_dir / "latest"
    manifest = json.loads((folder / "manifest.json").read_text())
    # The hand-written fixture carries no generator manifest, so nothing in it claims to be
    # synthetic; the publication says what its extracts say.
    assert manifest["synthetic"] is False and manifest["publication_id"] == result.publication_id
    assert manifest["synthetic"] == any(e["synthetic"] for e in manifest["extracts"])
    assert {e["source"] for e in manifest["extracts"]} >= {"mosaic", "ons"} and all(e["extract_date"] for e in manifest["extracts"])
    assert set(manifest["files"]) == {"outcome_measures.csv", "outcome_measures.parquet", "outcomes.xlsx"}
    for name, facts in manifest["files"].items():
        assert sha256(folder / name) == facts["sha256"]
    assert manifest["code_version"] and manifest["validation"]["candidate"]
    assert all(s["failed"] == 0 for s in manifest["validation"]["candidate"])
    # Run on its own, with no build-stage results for its run, it validates with every suite.
    assert all(s["validated_on"] == "candidate" for s in manifest["validation"]["candidate"])
    assert (copy.published_dir / "data_docs" / "index.html").exists()

    # The log lists every publication with its manifest, and the database holds what analysts need.
    con = duckdb.connect(str(copy.published_db_path), read_only=True)
    log = con.execute("select publication_id, manifest from published.publication_log order by published_at").fetchall()
    for publication_id, text in log:
        assert json.loads(text) == json.loads((copy.published_dir / publication_id / "manifest.json").read_text())
    schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert {"marts", "published", "dq", "reference"} <= schemas
    assert con.execute("select count(*) from published.outcome_measures").fetchall()[0][0] == manifest["row_count"]
    assert con.execute("select count(*) from dq.validation_results where stage = 'candidate' and run_id = ?", [result.publication_id]).fetchall()[0][0] > 0
    con.close()


def test_a_copy_that_differs_from_the_hash_taken_before_is_not_published(tmp_path):
    """The candidate's marts and published tables must hash to the hash the publication is
    recorded under (taken from the build database before the copy): a build database changed in
    between, or a copy gone wrong, stops the publication."""
    from pipelines.publication.publish import _copy_tables, publication_hash

    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    build = duckdb.connect(str(settings.warehouse_path))
    build.execute("create schema marts; create schema published")
    build.execute("create table marts.outcome_measures as select 'M1' as measure_id, 7 as value")
    build.execute("create table published.outcome_measures as select 'M1' as measure_id, 'c' as value_published")
    recorded = publication_hash(build)
    build.close()

    good = duckdb.connect(str(tmp_path / "good.duckdb"))
    _copy_tables(good, settings, recorded)  # the copy matches the hash taken before: no error
    assert good.execute("select value from marts.outcome_measures").fetchall() == [(7,)]
    good.close()

    build = duckdb.connect(str(settings.warehouse_path))
    build.execute("update marts.outcome_measures set value = 8")  # the build changes after the hash was taken
    build.close()
    changed = duckdb.connect(str(tmp_path / "changed.duckdb"))
    with pytest.raises(PublicationError, match="differ"):
        _copy_tables(changed, settings, recorded)
    changed.close()


def test_the_content_hash_ignores_row_order_and_sees_every_value():
    from pipelines.publication.publish import content_hash

    con = duckdb.connect()
    con.execute("create table a as select * from (values ('M1', 1.5, date '2023-03-31'), ('M2', null, date '2024-03-31')) t(m, v, d)")
    con.execute("create table b as select * from a order by m desc")
    assert content_hash(con, "a") == content_hash(con, "b")
    con.execute("update b set v = 1.25 where m = 'M1'")
    assert content_hash(con, "a") != content_hash(con, "b")
    con.execute("create table c as select * from a union all select * from a where m = 'M2'")  # a row twice
    assert content_hash(con, "a") != content_hash(con, "c")
    con.execute("create table d as select m, v, d + 1 as d from a")  # a date moved
    assert content_hash(con, "a") != content_hash(con, "d")
    con.execute("create table e as select m as measure, v, d from a")  # a column renamed
    assert content_hash(con, "a") != content_hash(con, "e")
