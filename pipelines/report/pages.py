"""The HTML of the report: an overview page and one page per priority.

Plain HTML5 with semantic headings and tables, the stylesheet inline and no script at all (a
Content-Security-Policy forbids scripts and every fetch, so the pages work offline and can
never load anything). Charts are inline SVG from svg_charts.py, each followed by its figures as
a table in a <details> for screen readers and for anyone who wants the numbers.
"""

from __future__ import annotations

from html import escape

from pipelines.publication.published_tables import SYMBOLS, PriorityTable
from pipelines.report.figures import Publication
from pipelines.report.style import COMPARATOR_STYLES, STYLESHEET, area_style
from pipelines.report.svg_charts import Bar, Point, Series, bar_chart, line_chart
from pipelines.report.views import Breakdown, MeasureView, Shown, Trend, display, unit_label

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
OVERVIEW_FILE = "index.html"
DBT_DOCS_FILE = "data_catalogue.html"
TITLE = "Children's services outcomes: priority report"


def page_file(page: PriorityTable) -> str:
    return f"{page.table}.html"


def _symbols_html(value: str) -> str:
    return f'<span class="symbol">{escape(value)}</span>' if value in SYMBOLS else escape(value)


def layout(title: str, body: str, *, publication: Publication, pages: list[PriorityTable], current: str, has_catalogue: bool) -> str:
    nav = [(OVERVIEW_FILE, "Overview")] + [(page_file(p), p.title) for p in pages]
    if has_catalogue:
        nav.append((DBT_DOCS_FILE, "Data catalogue (every table and column)"))
    current_mark = ' aria-current="page"'
    links = "".join(f'<li><a href="{href}"{current_mark if href == current else ""}>{escape(text)}</a></li>' for href, text in nav)
    banner = (
        '<div class="synthetic-banner" role="note">SYNTHETIC DATA: these figures come from the generator\'s made-up '
        "extracts and describe no real child. Do not quote them.</div>"
        if publication.synthetic
        else ""
    )
    extracts = ", ".join(f"{escape(source)} {escape(date)}" for source, date in sorted(publication.extract_dates.items()))
    symbols = "".join(f"<li><span class=\"symbol\">{escape(s)}</span>: {escape(text)}</li>" for s, text in SYMBOLS.items())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{escape(title)} - {escape(TITLE)}</title>
<style>{STYLESHEET}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the figures</a>
{banner}
<header class="site">
<p><strong>{escape(TITLE)}</strong> - Kensington and Chelsea, Westminster and the bi-borough</p>
<p>Publication {escape(publication.publication_id)}, published {escape(publication.published_at)}.</p>
<nav aria-label="Report pages"><ul>{links}</ul></nav>
</header>
<main id="main">
{body}
</main>
<footer>
<h2>About these figures</h2>
<p>Built from the published tables of this publication only: the figures after disclosure control, rounded as published.
Direction of travel and RAG are worked out from the published figures; none is shown beside a figure that is not published.</p>
<ul>{symbols}</ul>
<p>Extracts: {extracts or "none recorded"}.</p>
</footer>
</body>
</html>
"""


def figure_label(trend: Trend) -> str:
    """The statistic's words, with its unit where the words do not already say it."""
    if trend.unit in ("percent", "count") or trend.label.lower().startswith(unit_label(trend.unit).lower()):
        return trend.label
    return f"{trend.label} ({unit_label(trend.unit)})"


def _figure_cell(shown: Shown | None, unit: str) -> str:
    if shown is None:
        return '<td class="num">-</td>'
    return f'<td class="num">{_symbols_html(display(shown.text, unit))}</td>'


def _comparator_text(trend: Trend, name: str) -> str:
    value = trend.comparators.get(name, {}).get(trend.latest)
    if value is None:
        return "-"
    return display(f"{value:.{trend.decimals}f}", trend.unit)


def _england(trend: Trend) -> str:
    if "England" in trend.comparators:
        return _comparator_text(trend, "England")
    if "England and Wales" in trend.comparators:
        text = _comparator_text(trend, "England and Wales")
        return text if text == "-" else f"{text} (England and Wales)"
    return "-"


def direction_cell(view: MeasureView, area_code: str) -> str:
    direction = view.directions.get(area_code)
    if direction is None:
        return "<td>-</td>"
    if direction.kind == "none":
        return f'<td title="{escape(direction.sentence)}">not shown</td>'
    arrow = f'<span aria-hidden="true">{direction.arrow}</span> ' if direction.arrow else ""
    return f'<td class="direction" title="{escape(direction.sentence)}">{arrow}{escape(direction.kind)}</td>'


def rag_html(status: str, text: str) -> str:
    if status == "none":
        return escape(text)
    return f'<span class="rag rag-{status}">{escape(text)}</span>'


def overview_body(sections: list[tuple[PriorityTable, list[MeasureView]]]) -> str:
    parts = [
        f"<h1>{escape(TITLE)}</h1>",
        "<p>Every priority's measures at a glance: the latest published headline figure for each borough and the bi-borough, "
        "London and England beside it where published, the direction of travel since the same point a year earlier "
        "(for the bi-borough, judged by whether higher or lower is better), and RAG against any target.</p>",
    ]
    for page, views in sections:
        parts.append(f'<h2 id="{escape(page.table)}"><a href="{page_file(page)}">{escape(page.title)}</a></h2>')
        parts.append(f'<p class="outcome">{escape(page.outcome_statement)}</p>')
        if not views:
            parts.append("<p>No figures are published for this priority yet.</p>")
            continue
        areas = _overview_areas(views)
        head = "".join(f'<th scope="col" class="num">{escape(name)}</th>' for _, name in areas)
        rows = []
        for view in views:
            link = f'<a href="{page_file(page)}#{view.anchor}">{escape(view.name)}</a>'
            trend = view.headline
            if trend is None:
                rows.append(f'<tr><th scope="row">{link}</th><td colspan="{len(areas) + 6}">Published by breakdown only: see the priority page.</td></tr>')
                continue
            cells = "".join(_figure_cell(trend.figures.get((code, trend.latest)), trend.unit) for code, _ in areas)
            combined = areas[-1][0]
            rags = [t for t in view.targets if t.period == max((x.period for x in view.targets), default="")]
            rag = "<br>".join(f"{escape(t.area_name)}: {rag_html(t.rag.status, t.rag.text)}" for t in rags) or "no target"
            rows.append(
                f'<tr><th scope="row">{link}</th><td>{escape(figure_label(trend))}</td><td>{escape(trend.latest)}</td>{cells}'
                f'<td class="num">{escape(_comparator_text(trend, "London"))}</td><td class="num">{escape(_england(trend))}</td>'
                f"{direction_cell(view, combined)}<td>{rag}</td></tr>"
            )
        parts.append(
            f"<table><caption>{escape(page.title)}: latest headline figures</caption><thead><tr>"
            f'<th scope="col">Measure</th><th scope="col">Figure</th><th scope="col">Period</th>{head}'
            '<th scope="col" class="num">London</th><th scope="col" class="num">England</th>'
            f'<th scope="col">Direction ({escape(areas[-1][1])})</th><th scope="col">RAG</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return "\n".join(parts)


def _overview_areas(views: list[MeasureView]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for view in views:
        for code, name in (view.headline.areas if view.headline else []):
            seen.setdefault(code, name)
    ordered = sorted(seen.items(), key=lambda item: (not item[0].startswith("E0"), item[0]))
    return ordered


def trend_chart(view: MeasureView, trend: Trend, chart_id: str) -> str:
    series = [
        Series(name, area_style(code, i), [Point(p, trend.figures[(code, p)].value, trend.figures[(code, p)].text) for p in trend.periods if (code, p) in trend.figures])
        for i, (code, name) in enumerate(trend.areas)
    ]
    series += [Series(name, COMPARATOR_STYLES[name], [Point(p, v) for p, v in values.items()]) for name, values in trend.comparators.items()]
    title = f"{view.name}: {trend.label}, {trend.periods[0]} to {trend.latest}"
    latest = "; ".join(f"{name} {display(trend.figures[(code, trend.latest)].text, trend.unit)}" for code, name in trend.areas if (code, trend.latest) in trend.figures)
    comparators = "; ".join(f"{name} {_comparator_text(trend, name)}" for name in trend.comparators if trend.latest in trend.comparators[name])
    gaps = any(f.text in SYMBOLS for f in trend.figures.values())
    desc = (
        f"Line chart of {trend.label.lower()} ({unit_label(trend.unit)}) by {trend.period_type.replace('_', ' ')} for each borough and the bi-borough"
        f"{', with comparator lines for ' + ', '.join(trend.comparators) if trend.comparators else ''}. "
        f"Latest, {trend.latest}: {latest}{'; ' + comparators if comparators else ''}."
        f"{' Figures not published (c, z or x) are gaps in the lines, marked with their symbol.' if gaps else ''} The figures are in the table below."
    )
    return line_chart(chart_id, title, desc, trend.periods, series, unit_label=unit_label(trend.unit), whole_numbers=trend.unit == "count")


def trend_table(trend: Trend, caption: str) -> str:
    head = "".join(f'<th scope="col" class="num">{escape(p)}</th>' for p in trend.periods)
    rows = [
        f'<tr><th scope="row">{escape(name)}</th>' + "".join(_figure_cell(trend.figures.get((code, p)), trend.unit) for p in trend.periods) + "</tr>"
        for code, name in trend.areas
    ]
    rows += [
        f'<tr><th scope="row">{escape(name)}</th>'
        + "".join(f'<td class="num">{escape(display(f"{values[p]:.{trend.decimals}f}", trend.unit)) if p in values else "-"}</td>' for p in trend.periods)
        + "</tr>"
        for name, values in trend.comparators.items()
    ]
    return f'<table><caption>{escape(caption)}</caption><thead><tr><th scope="col">Area</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def breakdown_chart(view: MeasureView, breakdown: Breakdown, chart_id: str) -> str:
    styles = {name: area_style(code, i) for i, (code, name) in enumerate(breakdown.areas)}
    bars = [
        Bar(category, name, shown.value, shown.text)
        for code, name in breakdown.areas
        for category in breakdown.categories
        if (shown := breakdown.figures.get((code, category))) is not None
    ]
    title = f"{view.name}: {breakdown.label} by {breakdown.breakdown.replace('_', ' ')}, {breakdown.period}"
    desc = (
        f"Bar chart of {breakdown.label.lower()} ({unit_label(breakdown.unit)}) by {breakdown.breakdown.replace('_', ' ')} in {breakdown.period}, "
        f"one bar per area for each of {len(breakdown.categories)} groups. Figures not published (c, z or x) have no bar and show their symbol. "
        "The figures are in the table below."
    )
    return bar_chart(
        chart_id, title, desc, breakdown.categories, bars, styles, decimals=breakdown.decimals, unit_label=unit_label(breakdown.unit), whole_numbers=breakdown.unit == "count"
    )


def breakdown_table(breakdown: Breakdown, caption: str) -> str:
    head = "".join(f'<th scope="col" class="num">{escape(name)}</th>' for _, name in breakdown.areas)
    rows = [
        f'<tr><th scope="row">{escape(category)}</th>' + "".join(_figure_cell(breakdown.figures.get((code, category)), breakdown.unit) for code, _ in breakdown.areas) + "</tr>"
        for category in breakdown.categories
    ]
    return f'<table><caption>{escape(caption)}</caption><thead><tr><th scope="col">{escape(breakdown.breakdown.replace("_", " ").capitalize())}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _others_table(view: MeasureView) -> str:
    areas = view.others[0].areas
    head = "".join(f'<th scope="col" class="num">{escape(name)}</th>' for _, name in areas)
    rows = [
        f'<tr><th scope="row">{escape(figure_label(t))}</th><td>{escape(t.latest)}</td>'
        + "".join(_figure_cell(t.figures.get((code, t.latest)), t.unit) for code, _ in areas)
        + "</tr>"
        for t in view.others
    ]
    return f'<table><caption>Other figures for this measure, latest period</caption><thead><tr><th scope="col">Figure</th><th scope="col">Period</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _targets_table(view: MeasureView) -> str:
    rows = [
        f"<tr><td>{escape(t.statistic)}{(' (' + escape(t.breakdown) + ')') if t.breakdown else ''}</td><td>{escape(t.area_name)}</td><td>{escape(t.period)}</td>"
        f'<td class="num">{_symbols_html(t.figure)}</td><td class="num">{escape(t.target)}</td><td>{rag_html(t.rag.status, t.rag.text)}</td></tr>'
        for t in view.targets
    ]
    return (
        '<table><caption>Targets</caption><thead><tr><th scope="col">Figure</th><th scope="col">Area</th><th scope="col">Period</th>'
        f'<th scope="col" class="num">Published</th><th scope="col" class="num">Target</th><th scope="col">RAG</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def measure_section(view: MeasureView) -> str:
    parts = [f'<section class="measure" id="{view.anchor}" aria-labelledby="{view.anchor}-h">', f'<h2 id="{view.anchor}-h">{escape(view.name)}</h2>']
    trend = view.headline
    if trend is not None:
        sentences = "".join(f"<li>{escape(d.sentence)}</li>" for d in view.directions.values())
        parts.append(f'<h3>Direction of travel</h3><ul class="directions">{sentences}</ul>')
        chart_id = f"{view.anchor}-trend"
        parts.append(f'<figure>{trend_chart(view, trend, chart_id)}<figcaption>{escape(trend.label)} ({escape(unit_label(trend.unit))}), {escape(trend.periods[0])} to {escape(trend.latest)}.</figcaption></figure>')
        parts.append(f"<details><summary>Figures in this chart</summary>{trend_table(trend, f'{view.name}: {trend.label}')}</details>")
    if view.others:
        parts.append(_others_table(view))
    for number, breakdown in enumerate(view.breakdowns):
        chart_id = f"{view.anchor}-breakdown-{number}"
        heading = f"{breakdown.label} by {breakdown.breakdown.replace('_', ' ')}, {breakdown.period}"
        parts.append(f"<h3>{escape(heading)}</h3>")
        parts.append(f"<figure>{breakdown_chart(view, breakdown, chart_id)}<figcaption>{escape(heading)}.</figcaption></figure>")
        parts.append(f"<details><summary>Figures in this chart</summary>{breakdown_table(breakdown, heading)}</details>")
    if view.targets:
        parts.append(_targets_table(view))
    parts.append(_footnotes(view))
    parts.append("</section>")
    return "\n".join(parts)


def _footnotes(view: MeasureView) -> str:
    items = [("Definition", view.definition or "Not in the catalogue."), ("Source", view.source or "Not recorded.")]
    if view.polarity_note:
        items.append(("Reading it", view.polarity_note))
    notes = list(view.headline.notes if view.headline else [])
    if notes:
        items.append(("Comparators", " ".join(notes)))
    if view.suppression_notes:
        items.append(("Not shown (c)", " ".join(f"{n}." if not n.endswith(".") else n for n in view.suppression_notes)))
    items.append(("Symbols", "; ".join(f"{s} = {text}" for s, text in SYMBOLS.items()) + "."))
    body = "".join(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>" for term, text in items)
    return f'<aside class="footnotes" aria-label="Notes on {escape(view.name)}"><dl>{body}</dl></aside>'


def priority_body(page: PriorityTable, views: list[MeasureView]) -> str:
    parts = [f"<h1>{escape(page.title)}</h1>", f'<p class="outcome">{escape(page.outcome_statement)}</p>']
    if not views:
        parts.append("<p>No figures are published for this priority yet.</p>")
        return "\n".join(parts)
    contents = "".join(f'<li><a href="#{v.anchor}">{escape(v.name)}</a></li>' for v in views)
    parts.append(f'<nav aria-label="Measures on this page"><h2>Measures</h2><ul class="contents">{contents}</ul></nav>')
    parts += [measure_section(v) for v in views]
    return "\n".join(parts)
