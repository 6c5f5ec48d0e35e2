"""The catalogue, coverage, comparator, target and priority marts, built by the real nightly job.

Two runs (tests/conftest.py):
  golden_run     the tiny hand-written extract (six children; Priority Three social care only)
  catalogue_run  the same plus a later manual delivery, tests/fixtures/catalogue, whose figures
                 meet the seeds' targets and comparators:
    P3_FOSTER_CARER_SUFFICIENCY count_approved  BIBOROUGH 2022-23 12, 2023-24 14; RBKC 6, WCC 8 in 2023-24
    P3_YJ_KPI_BOARD_ATTENDANCE percent          RBKC 2023-24 80 (16 of 20)
    P3_PREVENTION_PROGRAMME_REACH               RBKC 2023-24 turnaround pct_responded_2wd 90 (9 of 10),
                                                your_choice count_practitioners_trained 10
    W_TURNOVER_STABILITY turnover_rate          RBKC 2021-22 18, 2022-23 16.7
    P6_MMR2_AGE5 percent                        WCC 2022-23 Q3 85 (680 of 800)
"""

from __future__ import annotations

import csv

import duckdb
import pytest

from pipelines.catalogue import REGISTRY_PATH

pytestmark = pytest.mark.slow

PRIORITY_MARTS = {
    "P1": "priority_1_best_start", "P2": "priority_2_education", "P3": "priority_3_safe", "P4": "priority_4_adulthood",
    "P5": "priority_5_voice", "P6": "priority_6_health", "P7": "priority_7_grenfell",
}
KEY = "measure_id, area_code, period_type, period_end, statistic, breakdown, breakdown_value"


def registry_ids() -> set[str]:
    with REGISTRY_PATH.open(encoding="utf-8", newline="") as fh:
        return {row["measure_id"] for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def golden(golden_run):
    con = duckdb.connect(str(golden_run.warehouse_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def catalogue(catalogue_run):
    con = duckdb.connect(str(catalogue_run.warehouse_path), read_only=True)
    yield con
    con.close()


def row(con, measure_id, statistic, area_code, period_label, breakdown="all", breakdown_value="all", columns="*"):
    result = con.execute(
        f"""select {columns} from marts.outcome_measures
            where measure_id = ? and statistic = ? and area_code = ? and period_label = ? and breakdown = ? and breakdown_value = ?""",
        [measure_id, statistic, area_code, period_label, breakdown, breakdown_value],
    )
    rows = result.fetchall()
    assert len(rows) == 1, f"{measure_id}/{statistic}/{area_code}/{period_label}: {len(rows)} rows"
    return dict(zip([d[0] for d in result.description], rows[0]))


@pytest.mark.parametrize("run", ["golden", "catalogue"])
def test_coverage_accounts_for_every_catalogue_measure_exactly_once(run, request):
    con = request.getfixturevalue(run)
    ids = [r[0] for r in con.execute("select measure_id from marts.measure_coverage").fetchall()]
    assert len(ids) == len(set(ids)) == 96
    assert set(ids) == registry_ids()
    catalogued = {r[0] for r in con.execute("select measure_id from marts.measure_catalogue").fetchall()}
    assert catalogued == registry_ids()


@pytest.mark.parametrize("run", ["golden", "catalogue"])
def test_every_published_measure_is_in_the_catalogue(run, request):
    con = request.getfixturevalue(run)
    published = {r[0] for r in con.execute("select distinct measure_id from marts.outcome_measures").fetchall()}
    assert published and published <= registry_ids(), published - registry_ids()
    assert con.execute("select count(*) from marts.outcome_measures where measure_name is null").fetchall()[0][0] == 0


def test_coverage_reads_what_outcome_measures_holds(golden, catalogue):
    def status(con, measure_id):
        return con.execute("select coverage_status, reason from marts.measure_coverage where measure_id = ?", [measure_id]).fetchall()[0]

    # Computed from the Mosaic extract in both runs.
    assert status(golden, "P3_REFERRALS")[0] == "computed"
    # The manual delivery moves measures out of not_yet_available: an indicator (class D) is an
    # aggregate indicator, a register (E) and a system with no extract (C, W) are manual.
    for measure_id, before, after in [
        ("P6_MMR2_AGE5", "not_yet_available", "aggregate_indicator"),
        ("P3_YJ_KPI_BOARD_ATTENDANCE", "not_yet_available", "manual"),
        ("P3_FOSTER_CARER_SUFFICIENCY", "not_yet_available", "manual"),
        ("W_TURNOVER_STABILITY", "not_yet_available", "manual"),
    ]:
        assert (status(golden, measure_id)[0], status(catalogue, measure_id)[0]) == (before, after), measure_id
    # The reasons say what is missing: a survey, or an extract with or without a contract.
    assert status(catalogue, "P3_FEEL_SAFE") == ("not_yet_available", "Needs a survey or manual figure (docs/manual_inputs.md): Survey or participation records entered manually.")
    assert status(golden, "P3_FOSTER_CARER_SUFFICIENCY")[1] == (
        "Needs an extract from a system outside the warehouse: Fostering recruitment records and foster carer register."
    )
    # A Mosaic measure nobody has written yet says so, whichever those are today.
    for reason, in golden.execute(
        "select reason from marts.measure_coverage where coverage_status = 'not_yet_available' and extract_source = 'mosaic' and computability_class = 'A'"
    ).fetchall():
        assert reason.startswith("The mosaic extract is defined but no measure model computes it yet: "), reason
    published = catalogue.execute("select statistics_published, manual_rows from marts.measure_coverage where measure_id = 'P3_PREVENTION_PROGRAMME_REACH'").fetchall()[0]
    assert published == ("count_practitioners_trained;pct_responded_2wd", 2)


def test_priority_marts_partition_outcome_measures(catalogue):
    all_rows = catalogue.execute(f"select {KEY}, priority from marts.outcome_measures").fetchall()
    seen = {}
    for priority, mart in PRIORITY_MARTS.items():
        rows = catalogue.execute(f"select {KEY}, priority, measure_name, measure_definition, priority_outcome from marts.{mart}").fetchall()
        assert all(r[7] == priority for r in rows), mart
        # Readable without a join: name, definition and the priority's words on every row.
        assert all(r[8] and r[9] and r[10] for r in rows), mart
        for r in rows:
            assert r[:7] not in seen, f"{r[:7]} in {mart} and {seen.get(r[:7])}"
            seen[r[:7]] = mart
    expected = {r[:7] for r in all_rows if r[7] != "W"}
    assert set(seen) == expected
    # W_TURNOVER_STABILITY (workforce) rows exist and sit in no priority mart.
    assert any(r[7] == "W" for r in all_rows)
    assert catalogue.execute("select count(*) from marts.priority_3_safe").fetchall()[0][0] > 0
    assert catalogue.execute("select measure_id, value, value_source from marts.priority_6_health where measure_id = 'P6_MMR2_AGE5'").fetchall() == [
        ("P6_MMR2_AGE5", 85.0, "manual")
    ]


def test_comparators_attach_to_their_own_period_or_the_one_they_were_printed_beside(golden):
    def comparators(measure_id, statistic, period_type, period_end):
        return golden.execute(
            """select comparator_london, comparator_inner_london, comparator_england, comparator_england_and_wales, comparator_period_note
               from intermediate.int_measure_comparators
               where measure_id = ? and statistic = ? and breakdown = 'all' and period_type = ? and period_end = cast(? as date)""",
            [measure_id, statistic, period_type, period_end],
        ).fetchall()

    # CMP003/CMP004: first-time entrants in the 12 months to September 2022: London 169 and
    # the YJB "national" 148, which is England and Wales, not England.
    assert comparators("P3_YJ_FTE", "rate_per_100k", "rolling_12_months", "2022-09-30") == [(169.0, None, None, 148.0, None)]
    assert comparators("P3_YJ_FTE", "rate_per_100k", "rolling_12_months", "2022-12-31") == [(166.0, None, None, 149.0, None)]
    # A quarter ending the same day is another period: nothing attaches.
    assert comparators("P3_YJ_FTE", "rate_per_100k", "quarter", "2022-09-30") == []
    # CMP001/CMP002: GLD 2021/22, England 65.2 and Inner London 67.5.
    assert comparators("P1_GLD", "percent", "academic_year", "2022-08-31") == [(None, 67.5, 65.2, None, None)]
    # CMP015: the EHCP "national average of 58%" has no year; it attaches only to Q4 2022-23,
    # beside which both councils printed it, and says its year is unknown.
    assert comparators("P4_EHCP_20WK", "percent", "quarter", "2023-03-31") == [(None, None, 58.0, None, "england: year not stated")]
    assert comparators("P4_EHCP_20WK", "percent", "quarter", "2022-12-31") == []
    # CMP011/CMP012: "July 2020 to July 2021" (13 months as printed) sit beside the WCC figure
    # the warehouse reads as the 12 months to June 2021; both keep their printed period.
    printed = "July 2020 to July 2021 (as printed)"
    assert comparators("P3_YJ_REOFFENDING", "binary_rate", "rolling_12_months", "2021-06-30") == [
        (33.1, None, None, 31.1, f"england_and_wales: {printed}; london: {printed}")
    ]
    # CMP007-CMP010: the April 2020 to March 2021 cohort, by its own period.
    assert comparators("P3_YJ_REOFFENDING", "binary_rate", "financial_year", "2021-03-31") == [(33.2, None, None, 31.2, None)]


def test_outcome_measures_carry_comparators_change_and_direction(catalogue):
    # CMP018: "a national turnover rate of 27.3%", undated, printed beside the 2022-23 figure.
    turnover = row(catalogue, "W_TURNOVER_STABILITY", "turnover_rate", "E09000020", "2022-23")
    assert turnover["comparator_england"] == 27.3 and turnover["comparator_period_note"] == "england: year not stated"
    assert turnover["comparator_london"] is None and turnover["comparator_statistical_neighbours"] is None
    # 18 -> 16.7: change -1.3 points; lower turnover is better, so improved.
    assert turnover["previous_value"] == 18 and turnover["change"] == pytest.approx(-1.3)
    assert (turnover["polarity"], turnover["change_direction"]) == ("lower_is_better", "improved")
    earlier = row(catalogue, "W_TURNOVER_STABILITY", "turnover_rate", "E09000020", "2021-22")
    assert earlier["comparator_england"] is None and earlier["change_direction"] is None


def test_direction_words_follow_the_statistic_polarity(golden):
    # Tiny fixture, RBKC re-referrals: 0 of 2 in 2021-22 (R1, R6 had no earlier referral), then
    # 1 of 2 (50%) in 2022-23: a rise in a lower-is-better measure -> worsened.
    rereferrals = row(golden, "P3_REREFERRAL_12M", "percent", "E09000020", "2022-23")
    assert (rereferrals["previous_value"], rereferrals["value"], rereferrals["change_direction"]) == (0, 50, "worsened")
    # The number of ICPCs is volume (seed statistic_polarity), their timeliness is not.
    assert row(golden, "P3_ICPC_15WD", "count", "E09000020", "2022-23")["polarity"] == "context"
    assert row(golden, "P3_ICPC_15WD", "percent", "E09000020", "2022-23")["polarity"] == "higher_is_better"
    # Referrals 2 -> 2 in RBKC: equal values are 'no change' whatever the polarity.
    assert row(golden, "P3_REFERRALS", "count", "E09000020", "2022-23")["change_direction"] == "no change"


def test_targets_give_rag_status_only_where_set(catalogue):
    # TGT001: 15 foster carers across both boroughs in 2023-24, amber from 13.5: 14 is amber;
    # up from 12 in 2022-23, and more carers is better.
    foster = row(catalogue, "P3_FOSTER_CARER_SUFFICIENCY", "count_approved", "BIBOROUGH", "2023-24")
    assert (foster["target"], foster["rag_status"], foster["change"], foster["change_direction"]) == (15, "amber", 2, "improved")
    # The target is for the bi-borough: the borough rows have none.
    for area in ("E09000020", "E09000033"):
        borough = row(catalogue, "P3_FOSTER_CARER_SUFFICIENCY", "count_approved", area, "2023-24")
        assert (borough["target"], borough["rag_status"]) == (None, None)
    # 2022-23 has no target.
    assert row(catalogue, "P3_FOSTER_CARER_SUFFICIENCY", "count_approved", "BIBOROUGH", "2022-23")["rag_status"] is None
    # TGT006: board attendance 80% against 75% -> green. TGT004: Turnaround referrals answered
    # within 2 working days 90% against 100%, amber from 95% -> red. TGT002: 10 practitioners
    # trained against 10 -> green (met exactly).
    assert row(catalogue, "P3_YJ_KPI_BOARD_ATTENDANCE", "percent", "E09000020", "2023-24")["rag_status"] == "green"
    turnaround = row(catalogue, "P3_PREVENTION_PROGRAMME_REACH", "pct_responded_2wd", "E09000020", "2023-24", "programme", "turnaround")
    assert (turnaround["target"], turnaround["rag_status"]) == (100, "red")
    trained = row(catalogue, "P3_PREVENTION_PROGRAMME_REACH", "count_practitioners_trained", "E09000020", "2023-24", "programme", "your_choice")
    assert trained["rag_status"] == "green"
    # Nothing computed from the tiny extract has a target.
    assert catalogue.execute("select count(*) from marts.outcome_measures where value_source = 'computed' and rag_status is not null").fetchall()[0][0] == 0
