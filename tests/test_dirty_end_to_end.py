"""`make demo-dirty` in a test: the dirty-data generator, the whole nightly job, and a
reconciliation of every piece of injected mess with what ingest reported.

The generator records, per table, each injected row's Excel row number and the outcome ingest
must give it (quarantined with a rule, value blanked, value reported, or loaded as is). The tests
check each one against the dq tables, that nothing else was quarantined, that the dq mart's
counts equal the injected counts, and that the planted canary child never reaches a published
output.
"""

from __future__ import annotations

import json
from collections import Counter

import duckdb
import pytest

from pipelines.privacy.canary import canary_forms, find_canary, scan_outputs
from pipelines.settings import Settings
from pipelines.synthetic.generate import GenerationSpec, generate
from tests.conftest import TEST_KEY, data_dir_env, failed_steps, run_nightly

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    data = tmp_path_factory.mktemp("dirty") / "data"
    with data_dir_env(data):
        settings = Settings(data_dir=data)
        settings.ensure_dirs()
        generate(settings.raw_dir, GenerationSpec(dirty=True))
        result = run_nightly(settings)
        yield settings, result


def _manifests(settings: Settings) -> list[tuple[str, str, dict]]:
    out = []
    for path in sorted(settings.raw_dir.glob("*/*/manifest.json")):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        out.append((manifest["source"], path.parent.name, manifest))
    return out


def _injected_rows(settings: Settings):
    """(source, extract, table, kind, excel_row, expected outcome) for every injected row."""
    for source, extract, manifest in _manifests(settings):
        for table, info in manifest.get("dirty", {}).get("tables", {}).items():
            for kind, entry in info["injected"].items():
                for row, expect in entry.get("rows", []):
                    yield source, extract, table, kind, row, expect


@pytest.fixture
def build(dirty):
    # Per test, not per module: the last test runs the job on this warehouse again, which needs
    # no read-only connection of this process left open on it.
    settings, _ = dirty
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    yield con
    con.close()


def test_the_whole_job_runs_and_publishes(dirty):
    settings, result = dirty
    assert result.success, failed_steps(result)
    assert settings.published_db_path.exists()
    kinds = Counter(kind for *_, kind, _row, _expect in _injected_rows(settings))
    # The mess is really there: every kind the generator knows, somewhere in the extracts.
    for kind in ("exact_duplicate", "duplicate_key", "ragged_row", "blank_row", "future_date", "date_as_text",
                 "formula_injection", "sql_like_text", "non_ascii_name", "thousands_separator", "episode_never_closed"):
        assert kinds[kind] > 0, kind


def test_every_injected_row_ends_where_expected(dirty, build):
    settings, _ = dirty
    wrong = []
    for source, extract, table, kind, row, expect in _injected_rows(settings):
        outcome, _, detail = expect.partition(":")
        key = [source, table, extract, row]
        if outcome == "quarantined":
            got = build.execute("select rule from dq.quarantine where source = ? and table_name = ? and extract_id = ? and excel_row = ?", key).fetchall()
            ok = got == [(detail,)]
        elif outcome in ("blanked", "reported"):
            got = build.execute(
                "select action from dq.value_issues where source = ? and table_name = ? and extract_id = ? and excel_row = ? and column_name = ?", key + [detail]
            ).fetchall()
            ok = got == [(outcome,)]
        else:  # staged: loaded, under its own Excel row (an unpivoted row loads once per year)
            got = build.execute(f'select count(*) from raw."{source}__{table}" where _extract_id = ? and _source_row = ?', [extract, row]).fetchall()
            ok = got[0][0] >= 1
        if not ok:
            wrong.append(f"{source}.{table} row {row} ({kind}): expected {expect}, found {got}")
    assert not wrong, "\n".join(wrong[:40])


def test_nothing_is_quarantined_that_was_not_injected(dirty, build):
    settings, _ = dirty
    injected = {(s, e, t, r) for s, e, t, _k, r, x in _injected_rows(settings) if x.startswith("quarantined:")}
    held = set(build.execute("select source, extract_id, table_name, excel_row from dq.quarantine").fetchall())
    assert held - injected == set(), f"quarantined without injected mess: {sorted(held - injected)[:20]}"
    assert injected - held == set()


def test_dq_mart_counts_equal_the_injected_counts(dirty, build):
    settings, _ = dirty
    injected = Counter()
    for source, _e, table, _k, _r, expect in _injected_rows(settings):
        if expect.startswith("quarantined:"):
            injected[(source, table, expect.split(":")[1])] += 1
    mart = Counter()
    for source, table, rule, n in build.execute(
        "select source, table_name, rule, sum(issue_count) from marts.dq_issues_by_table where issue_kind = 'quarantined_row' group by all"
    ).fetchall():
        mart[(source, table, rule)] = int(n)
    assert mart == injected


def test_row_accounting_holds_for_every_file(build):
    broken = build.execute("select source, table_name from dq.ingest_log where rows_in <> rows_staged + rows_quarantined").fetchall()
    assert broken == []
    logged = build.execute("select sum(rows_quarantined) from dq.ingest_log where status = 'loaded'").fetchall()[0][0]
    assert logged == build.execute("select count(*) from dq.quarantine").fetchall()[0][0] > 0


def test_canary_never_reaches_published_outputs(dirty, build):
    settings, _ = dirty
    planted = _manifests(settings)[0][2]["canary"]["ids"]
    assert {"mosaic_person", "upn"} <= set(planted)
    forms = canary_forms(bytes.fromhex(TEST_KEY), planted)
    # Control: the canary did arrive, pseudonymised, in the build database; never raw.
    found = find_canary(build, forms)
    assert any("pseudonymised mosaic_person" in hit and hit.startswith("raw.") for hit in found), found
    assert not [hit for hit in found if ": raw " in hit], found
    # The published database and every export: not a trace, raw or pseudonymised. (Not
    # vacuous: there must be a publication to scan.)
    assert settings.published_db_path.exists(), "nothing was published, so nothing could be scanned"
    assert scan_outputs(settings.published_dir, forms) == []


def test_an_unreadable_file_fails_its_source_only_and_publishes_nothing(dirty):
    """Runs last in this module: a new ONS delivery that is not a CSV at all. The ONS ingest
    step fails with one message naming the file, the problem and the remedy; every other
    source's ingest runs; nothing downstream publishes, so the published database is the one
    from before, byte for byte."""
    import hashlib

    settings, _ = dirty
    before = hashlib.sha256(settings.published_db_path.read_bytes()).hexdigest()
    broken = settings.raw_dir / "ons" / "2023-06-01"
    broken.mkdir(parents=True)
    (broken / "mid_year_estimates.csv").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    result = run_nightly(settings)
    failures = failed_steps(result)
    assert set(failures) == {"ingest_ons"}, failures
    message = failures["ingest_ons"]
    assert "mid_year_estimates.csv" in message and "Excel workbook" in message and "What to do:" in message
    succeeded = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    assert {"ingest_mosaic", "ingest_manual"} <= succeeded
    assert hashlib.sha256(settings.published_db_path.read_bytes()).hexdigest() == before
