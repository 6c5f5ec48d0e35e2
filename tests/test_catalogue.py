"""The measure catalogue and what is generated or mapped from it; no pipeline run needed.

The registry seed is the one place measures are described: these tests hold it to the reference
catalogue's shape (96 measures, every Annex B measure covered), keep the generated documents in
step with it, and check that the comparators, targets, polarity overrides and calibration map
only name measures and statistics the catalogue knows.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from pipelines.catalogue import (
    ANNEX_B_CODES,
    REGISTRY_PATH,
    SEEDS_DIR,
    CatalogueError,
    generated_documents,
    load_priorities,
    load_registry,
    manual_contract_columns,
    manual_template_csv,
    statistic_unit,
)


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def statistics_by_measure(registry):
    return {m.measure_id: set(m.statistics) for m in registry}


def test_registry_holds_the_96_measures_by_priority(registry):
    # measures.md sections 4-11: P1 8, P2 13, P3 34, P4 14, P5 5, P6 13, P7 5, W 4 = 96.
    assert len(registry) == 96
    assert Counter(m.priority for m in registry) == {"P1": 8, "P2": 13, "P3": 34, "P4": 14, "P5": 5, "P6": 13, "P7": 5, "W": 4}
    # Section 2: A 27 Mosaic, B 14 education, C 38 other systems, D 5 indicators, E 12 manual.
    assert Counter(m.computability_class for m in registry) == {"A": 27, "B": 14, "C": 38, "D": 5, "E": 12}


def test_every_annex_b_measure_is_implemented(registry):
    # Section 12: all 41 Annex B measures map to at least one measure; compound ones (S1, S2,
    # H3, H4, A4, A7, A10, R5) to two.
    implemented = Counter(code for m in registry for code in m.annex_b_codes)
    assert set(implemented) == set(ANNEX_B_CODES) and len(ANNEX_B_CODES) == 41
    assert {code for code, n in implemented.items() if n == 2} == {"S1", "S2", "H3", "H4", "A4", "A7", "A10", "R5"}
    # A measure with an Annex B code quotes its wording; one without has none.
    for m in registry:
        assert bool(m.annex_b_codes) == bool(m.outcomes_framework), m.measure_id
        if m.annex_b_codes:
            assert m.outcomes_framework.startswith(m.annex_b_codes[0] + ": "), m.measure_id


def test_definitions_are_written_out(registry):
    for m in registry:
        # One to three sentences, long enough to say population, numerator and period.
        sentences = [s for s in m.definition.replace("e.g.", "eg").split(". ") if s.strip()]
        assert 1 <= len(sentences) <= 3, (m.measure_id, len(sentences))
        assert len(m.definition) >= 80, m.measure_id
        assert m.statistics, m.measure_id


def test_load_registry_names_every_bad_row(tmp_path):
    good = REGISTRY_PATH.read_text(encoding="utf-8").splitlines()
    header, first = good[0], next(csv.DictReader([good[0], good[1]]))
    bad_rows = [
        dict(first),  # a duplicate of the first measure
        {**first, "measure_id": "P9_NOT_A_PRIORITY", "priority": "P9"},
        {**first, "measure_id": "P1_BAD_POLARITY", "polarity": "up"},
        {**first, "measure_id": "P1_BAD_CLASS", "computability_class": "F"},
        {**first, "measure_id": "P1_BAD_ANNEX", "annex_b_codes": "S11"},
        {**first, "measure_id": "P1_BAD_STAT", "statistics": "Percent;count"},
    ]
    path = tmp_path / "measure_registry.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n" + good[1] + "\n")
        writer = csv.DictWriter(fh, fieldnames=header.split(","), lineterminator="\n")
        writer.writerows(bad_rows)
    with pytest.raises(CatalogueError) as caught:
        load_registry(path)
    message = str(caught.value)
    for expected in (
        "line 3 (P1_HV_DEVELOPMENT_REVIEWS): duplicate measure_id",
        "line 4 (P9_NOT_A_PRIORITY): unknown priority 'P9'",
        "line 5 (P1_BAD_POLARITY): polarity must be one of",
        "line 6 (P1_BAD_CLASS): computability_class must be one of",
        "line 7 (P1_BAD_ANNEX): unknown Annex B code 'S11'",
        "line 8 (P1_BAD_STAT): statistic 'Percent' must be snake_case",
    ):
        assert expected in message


def test_committed_documents_are_generated_from_the_registry():
    stale = [str(path.relative_to(SEEDS_DIR.parent.parent)) for path, text in generated_documents().items() if path.read_text(encoding="utf-8") != text]
    assert not stale, f"Out of date (run `python -m pipelines docs`): {stale}"


def test_manual_template_lists_the_survey_and_indicator_measures(registry):
    columns = manual_contract_columns()
    rows = list(csv.DictReader(manual_template_csv(registry, columns).splitlines()))
    assert list(rows[0].keys()) == columns
    listed = Counter((r["measure_id"], r["statistic"]) for r in rows)
    expected = {
        (m.measure_id, s) for m in registry if m.computability_class in ("D", "E") and m.extract_source in ("", "manual") for s in m.statistics
    }
    assert set(listed) == expected and max(listed.values()) == 1
    # 5 class D and 12 class E measures, less P2_OFSTED_GOOD_OUTSTANDING (D), which the education
    # extract computes; P3_FEEL_SAFE (E) is there, P3_REFERRALS (A) is not.
    assert len({r["measure_id"] for r in rows}) == 16
    assert not any(r["measure_id"] == "P2_OFSTED_GOOD_OUTSTANDING" for r in rows)
    feel_safe = [r for r in rows if r["measure_id"] == "P3_FEEL_SAFE"]
    assert [(r["statistic"], r["unit"], r["breakdown"]) for r in feel_safe] == [("percent", "percent", "all")]
    assert not any(r["measure_id"] == "P3_REFERRALS" for r in rows)


@pytest.mark.parametrize(
    ("statistic", "unit"),
    [
        ("count", "count"),
        ("count_started", "count"),
        ("rate_per_10k", "rate_per_10k"),
        ("rate_started_per_10k", "rate_per_10k"),
        ("rate_per_100k", "rate_per_100k"),
        ("rate_per_1000", "rate_per_1000"),
        ("mean_dmft", "mean"),
        ("median_days", "days"),
        ("relative_rate_index", "ratio"),
        ("gap_attainment8", "score"),
        ("pct_uasc", "percent"),
        ("turnover_rate", "percent"),
    ],
)
def test_statistic_names_imply_their_unit(statistic, unit):
    assert statistic_unit(statistic) == unit


@pytest.mark.parametrize("seed", ["statistic_polarity", "comparators", "targets", "calibration_figures"])
def test_seeds_name_catalogued_measures_and_statistics(seed, statistics_by_measure):
    problems = [
        f"{row['measure_id']}/{row['statistic']}"
        for row in _seed(seed)
        if row["statistic"] not in statistics_by_measure.get(row["measure_id"], set())
    ]
    assert not problems, f"{seed}: not in the registry's statistics: {problems}"


def test_comparators_keep_their_own_period_and_youth_justice_national_is_england_and_wales():
    rows = {r["comparator_id"]: r for r in _seed("comparators")}
    # Section 2: youth justice "national" and "ENG" figures are England and Wales ones.
    youth_justice = [r for r in rows.values() if r["measure_id"].startswith("P3_YJ_")]
    assert youth_justice and all(r["comparator_area"] in ("london", "england_and_wales") for r in youth_justice)
    # Section 3 item 22: the EHCP "national average of 58%" has no year; it is kept with its own
    # (unknown) period and set beside the Q4 2022-23 figure only.
    ehcp = rows["CMP015"]
    assert (ehcp["period_end"], ehcp["period_label"]) == ("", "year not stated")
    assert (ehcp["compared_with_period_type"], ehcp["compared_with_period_end"]) == ("quarter", "2023-03-31")
    # Every comparator cites its document and line, and the areas are the four the documents use.
    assert all(r["source_document"] and r["source_line"].isdigit() for r in rows.values())
    assert {r["comparator_area"] for r in rows.values()} == {"london", "inner_london", "england", "england_and_wales"}


def test_targets_name_their_source_and_a_consistent_amber_band():
    for row in _seed("targets"):
        target, amber = float(row["target_value"]), float(row["amber_threshold"])
        assert row["polarity"] in ("higher_is_better", "lower_is_better")
        assert (amber < target) if row["polarity"] == "higher_is_better" else (amber > target), row["target_id"]
        assert row["source_figure_id"].startswith("F") and row["source_line"].isdigit()


def test_priority_marts_exist_for_every_priority_with_a_mart():
    models = Path(SEEDS_DIR.parent / "models" / "marts" / "priorities")
    marts = {p.mart_name for p in load_priorities() if p.mart_name}
    assert marts == {path.stem for path in models.glob("priority_*.sql")}
    assert len(marts) == 7
