"""The report's chart module and its judgements: gaps for figures not shown, comparator lines,
direction words that follow polarity, RAG only beside a published figure, AA contrast."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from pipelines.report.assessment import direction_of_travel, rag_against_target
from pipelines.report.dbt_docs import TRACKER_ADDRESS, DbtDocsError, make_offline
from pipelines.report.style import AREA_STYLES, BANNER, COMPARATOR_STYLES, LINK, RAG_COLOURS
from pipelines.report.svg_charts import Bar, Point, Series, SeriesStyle, bar_chart, contrast_ratio, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
PERIODS = ["2019-20", "2020-21", "2021-22", "2022-23"]
RBKC_STYLE = SeriesStyle("#0b5394", "circle")
LONDON_STYLE = SeriesStyle("#6a3d9a", "none", "8 4", 2)


def visible_text(element) -> str:
    """A <text>'s own words, without its <title> tooltip."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


def _trend(points, comparators=()):
    series = [Series("Kensington and Chelsea", RBKC_STYLE, points), *comparators]
    return ET.fromstring(line_chart("t", "Re-referrals", "Line chart of re-referrals.", PERIODS, series, unit_label="%"))


def test_a_suppressed_figure_is_a_labelled_gap_never_a_zero():
    # 20.0, 18.0, c, 15.0: the line runs 2019-20 -> 2020-21, breaks, and 2022-23 stands alone.
    svg = _trend([Point("2019-20", 20.0, "20.0"), Point("2020-21", 18.0, "18.0"), Point("2021-22", None, "c"), Point("2022-23", 15.0, "15.0")])
    paths = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "series"]
    assert len(paths) == 1, "one line segment before the gap; the point after it stands alone"
    assert len(re.findall(r"[ML]", paths[0].get("d"))) == 2
    markers = [m for m in svg.iter(f"{SVG}circle") if m.get("class") == "point"]
    assert len(markers) == 3, "three published figures, three markers: nothing is drawn for c"
    # No marker sits on the zero line: the axis runs 0 to 20 over a 200px plot from y=16 to y=216.
    assert all(abs(float(m.get("cy")) - 216) > 1 for m in markers)
    symbols = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "gap-symbol"]
    assert [visible_text(t) for t in symbols] == ["c"]
    assert "c = suppressed to protect children" in " ".join(visible_text(t) for t in svg.iter(f"{SVG}text"))


def test_every_chart_has_a_title_and_description_it_is_labelled_by():
    svg = _trend([Point("2022-23", 15.0, "15.0")])
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == "Re-referrals" and desc.text == "Line chart of re-referrals."
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_comparator_lines_are_drawn_dashed_and_named_in_the_legend():
    london = Series("London", LONDON_STYLE, [Point("2021-22", 17.0), Point("2022-23", 17.5)])
    svg = _trend([Point("2021-22", 18.0, "18.0"), Point("2022-23", 15.0, "15.0")], [london])
    dashed = [p for p in svg.iter(f"{SVG}path") if p.get("stroke") == LONDON_STYLE.colour]
    assert len(dashed) == 1 and dashed[0].get("stroke-dasharray") == "8 4"
    assert "London" in [t.text for t in svg.iter(f"{SVG}text")]
    without = _trend([Point("2021-22", 18.0, "18.0"), Point("2022-23", 15.0, "15.0")])
    assert not [p for p in without.iter(f"{SVG}path") if p.get("stroke-dasharray")]


def test_a_bar_chart_has_no_bar_for_a_suppressed_figure():
    styles = {"Kensington and Chelsea": RBKC_STYLE, "Westminster": SeriesStyle("#a63d00", "square")}
    bars = [
        Bar("White", "Kensington and Chelsea", 12.0, "12"),
        Bar("White", "Westminster", None, "c"),
        Bar("Black", "Kensington and Chelsea", 0.0, "0"),
        Bar("Black", "Westminster", 7.0, "7"),
    ]
    svg = ET.fromstring(bar_chart("b", "CP plans by ethnicity", "Bar chart.", ["White", "Black"], bars, styles, decimals=0, unit_label="number", whole_numbers=True))
    rects = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(rects) == 3, "12, 0 and 7 are bars (0 is a real zero); c is not"
    texts = [visible_text(t) for t in svg.iter(f"{SVG}text")]
    assert "c" in texts and "0" in texts and "12" in texts


def test_count_axes_never_show_fractions():
    assert nice_ticks(0, 1, whole_numbers=True) == [0, 1]
    assert all(float(t).is_integer() for t in nice_ticks(0, 3, whole_numbers=True))
    assert nice_ticks(0, 20) == [0, 5, 10, 15, 20]


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "kind", "words"),
    [
        (16.5, 19.3, "lower_is_better", "improved", "decreased from 19.3% in 2021-22 to 16.5% in 2022-23: an improvement (lower is better)"),
        (19.3, 16.5, "lower_is_better", "worsened", "increased from 16.5% in 2021-22 to 19.3% in 2022-23: a worsening (lower is better)"),
        (89.9, 89.2, "higher_is_better", "improved", "increased from 89.2% in 2021-22 to 89.9% in 2022-23: an improvement (higher is better)"),
        (88.0, 89.2, "higher_is_better", "worsened", "decreased from 89.2% in 2021-22 to 88.0% in 2022-23: a worsening"),
        (120.0, 100.0, "context", "up", "increased from 100.0% in 2021-22 to 120.0% in 2022-23 (a measure of need or volume"),
        (17.0, 17.0, "lower_is_better", "no change", "stayed at 17.0%"),
    ],
)
def test_direction_words_follow_polarity(current, previous, polarity, kind, words):
    direction = direction_of_travel(
        current, previous, polarity, current_text=f"{current:.1f}%", previous_text=f"{previous:.1f}%",
        current_period="2022-23", previous_period="2021-22", subject="Re-referrals",
    )
    assert direction.kind == kind
    assert words in direction.sentence


def test_no_direction_beside_a_suppressed_figure():
    direction = direction_of_travel(
        15.0, None, "lower_is_better", current_text="15.0%", previous_text="c", current_period="2022-23", previous_period="2021-22", subject="Westminster"
    )
    assert direction.kind == "none"
    assert "c in 2021-22" in direction.sentence and "improve" not in direction.sentence and "worsen" not in direction.sentence


def test_rag_against_target():
    # Target 80% (higher is better), amber from 72%.
    assert rag_against_target(81.0, 80.0, "higher_is_better", 72.0).status == "green"
    assert rag_against_target(75.0, 80.0, "higher_is_better", 72.0).status == "amber"
    assert rag_against_target(70.0, 80.0, "higher_is_better", 72.0).status == "red"
    # Lower is better, no amber threshold: short of the target is red.
    assert rag_against_target(16.0, 16.0, "lower_is_better").status == "green"
    assert rag_against_target(16.1, 16.0, "lower_is_better").status == "red"
    # A suppressed figure gets no colour, whatever its target; no target, no RAG.
    assert rag_against_target(None, 80.0, "higher_is_better", 72.0).status == "none"
    assert rag_against_target(50.0, None, "higher_is_better").status == "none"


def test_colours_meet_wcag_aa_on_white():
    # Series colours are also text (the c symbols, bar labels): 4.5:1 like any text.
    for style in [*AREA_STYLES.values(), *COMPARATOR_STYLES.values()]:
        assert contrast_ratio(style.colour) >= 4.5, style
    assert contrast_ratio(LINK) >= 4.5
    assert contrast_ratio(BANNER[1], BANNER[0]) >= 4.5
    for background, text in RAG_COLOURS.values():
        assert contrast_ratio(text, background) >= 4.5, (background, text)
    assert contrast_ratio("#000000") == pytest.approx(21.0)


def test_the_data_catalogue_page_is_made_offline():
    page = f'<html><head><title>dbt</title></head><body><script>i.src="{TRACKER_ADDRESS}"; var m = {{"send_anonymous_usage_stats": false}}</script></body></html>'
    offline = make_offline(page)
    assert TRACKER_ADDRESS not in offline
    assert offline.startswith('<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\';')
    with pytest.raises(DbtDocsError, match="usage stats"):
        make_offline(page.replace("false", "true"))


def _rows(periods, *, comparator_on=None):
    """Published-looking rows of one statistic for the bi-borough: (period_type, period_end, label, value)."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "area_code": "BIBOROUGH", "area_name": "Bi-borough (Kensington and Chelsea and Westminster)", "period_type": kind,
                "period_end": pd.Timestamp(end), "period_label": label, "statistic": "count", "breakdown": "all", "breakdown_value": "all",
                "unit": "count", "value": value, "value_published": str(int(value)), "decimal_places": 0, "polarity": "context",
                "comparator_london": 50.0 if label == comparator_on else None, "comparator_inner_london": None, "comparator_england": None,
                "comparator_england_and_wales": None, "comparator_statistical_neighbours": None, "comparator_period_note": None,
            }
            for kind, end, label, value in periods
        ]
    )


def test_snapshot_trends_compare_the_same_day_each_year():
    from pipelines.report.views import build_trend

    # Quarter-end snapshots: the trend keeps the 31 March ones, so each step is a year.
    rows = _rows([("snapshot", "2022-03-31", "31 Mar 2022", 40), ("snapshot", "2022-06-30", "30 Jun 2022", 41),
                  ("snapshot", "2022-12-31", "31 Dec 2022", 45), ("snapshot", "2023-03-31", "31 Mar 2023", 50)])
    trend = build_trend(rows, "count")
    assert trend.periods == ["31 Mar 2022", "31 Mar 2023"] and trend.previous == "31 Mar 2022"
    assert trend.areas == [("BIBOROUGH", "Bi-borough")]


def test_the_period_type_with_comparators_is_charted():
    from pipelines.report.views import build_trend

    # Financial years come first, unless only another period type carries a comparator.
    rows = _rows([("financial_year", "2023-03-31", "2022-23", 60), ("quarter", "2023-03-31", "2022-23 Q4", 15)])
    assert build_trend(rows, "count").period_type == "financial_year"
    rows = _rows([("financial_year", "2023-03-31", "2022-23", 60), ("quarter", "2023-03-31", "2022-23 Q4", 15)], comparator_on="2022-23 Q4")
    trend = build_trend(rows, "count")
    assert trend.period_type == "quarter" and trend.comparators == {"London": {"2022-23 Q4": 50.0}}


def test_statistic_words_and_published_figures():
    from pipelines.report.views import display, statistic_label

    assert statistic_label("pct_uasc", "percent") == "% UASC"
    assert statistic_label("count_started", "count") == "Number started"
    assert statistic_label("rate_per_10k", "rate_per_10k") == "Rate per 10,000 children"
    assert display("1439", "count") == "1,439" and display("84.0", "percent") == "84.0%"
    assert display("c", "percent") == "c" and display("0", "count") == "0"
