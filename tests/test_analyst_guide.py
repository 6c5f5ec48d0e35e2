"""Every example query in docs/analyst_guide.md runs against a real publication (the golden
nightly run's), names only measures and statistics the catalogue has, and the guide's links and
paths exist."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "analyst_guide.md"
QUERY = re.compile(r"```sql\n(-- Q(\d+):.*?)```", re.S)


def guide_queries() -> dict[int, str]:
    return {int(number): sql for sql, number in QUERY.findall(GUIDE.read_text(encoding="utf-8"))}


def test_the_guide_has_ten_example_questions_and_more():
    numbers = sorted(guide_queries())
    assert numbers[:10] == list(range(1, 11)), numbers


def test_the_guide_links_exist():
    text = GUIDE.read_text(encoding="utf-8")
    for link in re.findall(r"\]\(([^)#]+\.md)\)", text):
        assert (GUIDE.parent / link).exists(), link
    assert "(analyst_guide.md)" in (GUIDE.parent / "analysts.md").read_text(encoding="utf-8"), "docs/analysts.md points to the guide"


@pytest.fixture(scope="module")
def published(golden_run):
    con = duckdb.connect(str(golden_run.published_db_path), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("number", sorted(guide_queries()))
def test_every_example_query_runs_on_the_published_database(published, number):
    sql = guide_queries()[number]
    cursor = published.execute(sql)
    columns = [d[0] for d in cursor.description]
    cursor.fetchall()
    assert columns and len(columns) == len(set(columns)), columns
    # The measures and statistics a query names exist: a renamed measure must not leave a query
    # that silently returns nothing.
    catalogue = dict(published.execute("select measure_id, statistics from marts.measure_catalogue").fetchall())
    measures = re.findall(r"measure_id = '([A-Z0-9_]+)'", sql)
    for measure in measures:
        assert measure in catalogue, f"Q{number}: {measure} is not in the catalogue"
    statistics = set(re.findall(r"statistic = '([a-z0-9_]+)'", sql))
    statistics |= {s for group in re.findall(r"statistic in \(([^)]*)\)", sql) for s in re.findall(r"'([a-z0-9_]+)'", group)}
    listed = {s.strip() for m in measures for s in (catalogue[m] or "").split(";")}
    assert statistics <= listed, f"Q{number}: statistics {sorted(statistics - listed)} are not listed for {measures}"


def test_symbols_are_blank_values_never_zero(published):
    # The guide's rule for SQL: where value_published is a symbol, value is blank.
    assert published.execute("select count(*) from published.outcome_measures where value_published in ('c', 'z', 'x') and value is not null").fetchall() == [(0,)]
