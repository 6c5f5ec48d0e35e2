"""Colours and the stylesheet of the report pages (inlined in each page, so a page stands alone).

Colours meet WCAG AA on white: text and symbols at least 4.5:1, chart lines at least 3:1
(tests/test_report_charts.py checks them). Series differ by marker shape and dash as well as
colour, so a chart reads in greyscale print and with colour-vision deficiency.
"""

from __future__ import annotations

from pipelines.report.svg_charts import SeriesStyle

# Areas: each borough, then the combined area (drawn thickest, as the councils' headline).
AREA_STYLES = {
    "E09000020": SeriesStyle("#0b5394", "circle"),  # Kensington and Chelsea
    "E09000033": SeriesStyle("#a63d00", "square"),  # Westminster
    "BIBOROUGH": SeriesStyle("#1a1a1a", "diamond", width=3.5),
}
FALLBACK_AREA_STYLES = [SeriesStyle("#00695c", "circle"), SeriesStyle("#6a1b9a", "square"), SeriesStyle("#37474f", "diamond")]
COMPARATOR_STYLES = {
    "London": SeriesStyle("#6a3d9a", "none", "8 4", 2),
    "Inner London": SeriesStyle("#6a3d9a", "none", "2 3", 2),
    "England": SeriesStyle("#4d4d4d", "none", "8 4", 2),
    "England and Wales": SeriesStyle("#4d4d4d", "none", "2 3", 2),
    "Statistical neighbours": SeriesStyle("#00695c", "none", "4 2 1 2", 2),
}
RAG_COLOURS = {"green": ("#00703c", "#ffffff"), "amber": ("#ffbf47", "#1a1a1a"), "red": ("#d4351c", "#ffffff")}
LINK = "#1d5aa0"
BANNER = ("#8a1c00", "#ffffff")


def area_style(code: str, position: int) -> SeriesStyle:
    return AREA_STYLES.get(code) or FALLBACK_AREA_STYLES[position % len(FALLBACK_AREA_STYLES)]


STYLESHEET = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.45; color: #1a1a1a; background: #ffffff; }}
a {{ color: {LINK}; }}
a:focus, summary:focus {{ outline: 3px solid #ffbf47; outline-offset: 1px; background: #fff3c4; color: #1a1a1a; }}
.skip {{ position: absolute; left: -9999px; }}
.skip:focus {{ position: static; display: inline-block; padding: 0.5em; }}
.synthetic-banner {{ background: {BANNER[0]}; color: {BANNER[1]}; padding: 0.6em 1rem; font-weight: bold; font-size: 1.1em; }}
header.site {{ border-bottom: 4px solid #1a1a1a; padding: 0.8em 1rem 0.4em; }}
header.site p {{ margin: 0.2em 0; }}
nav ul {{ list-style: none; padding: 0; margin: 0.4em 0; display: flex; flex-wrap: wrap; gap: 0.3em 1.2em; }}
nav a[aria-current="page"] {{ font-weight: bold; color: #1a1a1a; text-decoration: none; border-bottom: 3px solid #1a1a1a; }}
main {{ padding: 0 1rem 2em; max-width: 1100px; }}
h1 {{ font-size: 1.8em; margin: 0.6em 0 0.2em; }}
h2 {{ font-size: 1.4em; margin: 1.4em 0 0.3em; border-top: 1px solid #b1b4b6; padding-top: 0.6em; }}
h3 {{ font-size: 1.15em; margin: 1.1em 0 0.3em; }}
.outcome {{ font-size: 1.1em; max-width: 50em; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }}
caption {{ text-align: left; font-weight: bold; padding: 0.3em 0; }}
th, td {{ border-bottom: 1px solid #b1b4b6; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.symbol {{ font-weight: bold; }}
.rag {{ display: inline-block; padding: 0 0.4em; border-radius: 3px; font-weight: bold; }}
{"".join(f".rag-{name} {{ background: {bg}; color: {fg}; }} " for name, (bg, fg) in RAG_COLOURS.items())}
.direction {{ white-space: nowrap; }}
figure {{ margin: 0.6em 0 1em; max-width: 680px; }}
figure svg {{ width: 100%; height: auto; border: 1px solid #dcdcdc; }}
figcaption {{ font-size: 0.92em; }}
details {{ margin: 0.3em 0 1em; }}
summary {{ cursor: pointer; color: {LINK}; text-decoration: underline; }}
.footnotes {{ font-size: 0.9em; border-left: 4px solid #b1b4b6; padding: 0.1em 0.8em; margin: 0.8em 0 1.5em; max-width: 55em; }}
.footnotes dt {{ font-weight: bold; }}
.footnotes dd {{ margin: 0 0 0.4em 0; }}
footer {{ border-top: 1px solid #b1b4b6; padding: 1em; font-size: 0.9em; }}
@media print {{
  body {{ font-size: 10.5pt; }}
  .skip, nav {{ display: none; }}
  .synthetic-banner, .rag {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  section.measure, figure, table {{ break-inside: avoid; }}
  h2 {{ break-after: avoid; }}
  details > summary {{ display: none; }}
  a {{ color: #1a1a1a; text-decoration: none; }}
  main {{ max-width: none; }}
}}
"""
