"""Build the report of the current publication:

    data/published/<publication id>/report/index.html          the overview
    data/published/<publication id>/report/priority_<n>_*.html  one page per priority
    data/published/<publication id>/report/data_catalogue.html  dbt's static docs (offline)
    data/published/report -> <publication id>/report            the latest, a symlink

The pages are written into a staging folder inside the publication's folder and renamed into
place; the `report` pointer is a symlink replaced in one rename, so a reader following it sees
the previous report or the new one, never half of one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.report import dbt_docs
from pipelines.report.figures import PublishedFigures, ReportInputError, read_published
from pipelines.report.pages import DBT_DOCS_FILE, OVERVIEW_FILE, layout, overview_body, page_file, priority_body
from pipelines.report.views import MeasureView, amber_thresholds, measure_views
from pipelines.settings import Settings

REPORT_DIR = "report"
LATEST_REPORT = "report"  # data/published/report -> <publication id>/report
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportResult:
    publication_id: str
    path: Path  # the publication's report folder
    latest: Path  # data/published/report
    pages: list[str]
    charts: int
    synthetic: bool
    has_catalogue: bool
    seconds: float


def write_pages(figures: PublishedFigures, folder: Path, *, has_catalogue: bool) -> tuple[list[str], int]:
    """Every page of the report into `folder`; returns the file names and the number of charts."""
    thresholds = amber_thresholds()
    sections: list[tuple] = []
    written, charts = [], 0
    for page in figures.pages:
        views: list[MeasureView] = measure_views(figures.by_priority.get(page.priority), figures.definitions, thresholds) if len(figures.by_priority.get(page.priority, [])) else []
        sections.append((page, views))
        charts += sum((1 if v.headline else 0) + len(v.breakdowns) for v in views)
        html = layout(page.title, priority_body(page, views), publication=figures.publication, pages=figures.pages, current=page_file(page), has_catalogue=has_catalogue)
        (folder / page_file(page)).write_text(html, encoding="utf-8")
        written.append(page_file(page))
    overview = layout("Overview", overview_body(sections), publication=figures.publication, pages=figures.pages, current=OVERVIEW_FILE, has_catalogue=has_catalogue)
    (folder / OVERVIEW_FILE).write_text(overview, encoding="utf-8")
    return [OVERVIEW_FILE, *written], charts


def _swap_in(staging: Path, target: Path) -> None:
    """Rename the staging folder to `target`, replacing a report built before for the same publication."""
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}-{time.time_ns()}")
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, target)


def point_latest(settings: Settings, publication_id: str) -> Path:
    link = settings.published_dir / LATEST_REPORT
    if link.exists() and not link.is_symlink():
        raise ReportInputError(f"{link} exists and is not the report pointer (a symlink); move it away.")
    temporary = settings.published_dir / f".{LATEST_REPORT}-{publication_id}"
    temporary.unlink(missing_ok=True)
    os.symlink(f"{publication_id}/{REPORT_DIR}", temporary, target_is_directory=True)
    os.replace(temporary, link)
    return link


def build_report(settings: Settings, *, with_catalogue: bool = True) -> ReportResult:
    """The report of the publication in data/published/outcomes.duckdb, from its `published` tables."""
    started = time.monotonic()
    figures = read_published(settings.published_db_path)
    publication_id = figures.publication.publication_id
    folder = settings.published_dir / publication_id
    if not folder.is_dir():
        raise ReportInputError(f"The publication folder {folder} is missing: the database and its exports disagree.")
    staging = folder / f".{REPORT_DIR}-staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        has_catalogue = False
        if with_catalogue:
            dbt_docs.copy_into(settings, staging, DBT_DOCS_FILE)
            has_catalogue = True
        pages, charts = write_pages(figures, staging, has_catalogue=has_catalogue)
        summary = {"publication_id": publication_id, "pages": pages, "charts": charts, "synthetic": figures.publication.synthetic, "data_catalogue": has_catalogue}
        (staging / "report.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        _swap_in(staging, folder / REPORT_DIR)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    latest = point_latest(settings, publication_id)
    return ReportResult(
        publication_id=publication_id, path=folder / REPORT_DIR, latest=latest, pages=pages, charts=charts,
        synthetic=figures.publication.synthetic, has_catalogue=has_catalogue, seconds=round(time.monotonic() - started, 2),
    )
