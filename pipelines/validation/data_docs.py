"""Great Expectations Data Docs: the static HTML history of every validation.

A file-backed GX project under <data>/work/gx keeps every validation result (JSON); its one
Data Docs site is written to <data>/published/data_docs/, beside the publication, so whoever
reads the figures can open index.html and see every run's validations, passed or failed. The
Dagster check links to the page of its own run.

History is kept for the last KEEP_RUNS validations of each suite (older results and pages are
removed when the index is refreshed); the full history of outcomes stays in
dq.validation_results.

The pages are rendered by GX from its own templates; they link GX's stylesheets from a CDN,
which a machine with no route out simply does without (the tables read fine unstyled).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.settings import Settings
from pipelines.validation.gx_runner import import_great_expectations

SITE_NAME = "published"
KEEP_RUNS = 60


def site_directory(settings: Settings) -> Path:
    return settings.published_dir / "data_docs"


def project_directory(settings: Settings) -> Path:
    return settings.work_dir / "gx"


# One GX context per project and process: loading the project and checking its site config took
# about 0.2 s per suite, paid again by each of a run's two dozen checks.
_CONTEXTS: dict[tuple[Path, Path], object] = {}


def file_context(settings: Settings):
    """The GX project of this data folder, created on first use, with the published site only."""
    key = (project_directory(settings), site_directory(settings))
    cached = _CONTEXTS.get(key)
    if cached is not None and (key[0] / "gx" / "great_expectations.yml").exists():
        return cached
    _CONTEXTS[key] = context = _load_file_context(settings)
    return context


def _load_file_context(settings: Settings):
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    root = project_directory(settings)
    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(root))
    site = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_directory(settings))},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        # GX's own page view, but its compiled templates kept from page to page, and the pages
        # asked for found without listing the store (gx_views.py). No profiling section: the
        # project profiles nothing, and the section listed every result to find that out.
        "site_section_builders": {
            **{
                section: {
                    "module_name": "pipelines.validation.gx_views",
                    "class_name": "KeyedSiteSectionBuilder",
                    "view": {"module_name": "pipelines.validation.gx_views", "class_name": "CachedJinjaPageView"},
                }
                for section in ("expectations", "validations")
            },
            "profiling": "None",
        },
    }
    sites = context.list_data_docs_sites()
    if sites.get(SITE_NAME) != site:
        if SITE_NAME in sites:
            context.update_data_docs_site(SITE_NAME, site)
        else:
            context.add_data_docs_site(SITE_NAME, site)
    for other in [name for name in context.list_data_docs_sites() if name != SITE_NAME]:
        context.delete_data_docs_site(other)
    if context.variables.progress_bars != ProgressBarsConfig(globally=False):
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


def index_page(settings: Settings) -> Path:
    return site_directory(settings) / "index.html"


def prune(settings: Settings, keep: int = KEEP_RUNS) -> int:
    """Remove all but the newest `keep` results of each suite (JSON and HTML); returns how many."""
    import shutil

    removed = 0
    store = project_directory(settings) / "gx" / "uncommitted" / "validations"
    site = site_directory(settings) / "validations"
    if not store.exists():
        return 0
    for suite_dir in store.iterdir():
        if not suite_dir.is_dir():
            continue
        runs = [(run_time.name, run_name.name) for run_name in suite_dir.iterdir() if run_name.is_dir() for run_time in run_name.iterdir() if run_time.is_dir()]
        for run_time, run_name in sorted(runs, reverse=True)[keep:]:
            for root in (store, site):
                shutil.rmtree(root / suite_dir.name / run_name / run_time, ignore_errors=True)
                parent = root / suite_dir.name / run_name
                if parent.exists() and not any(parent.iterdir()):
                    parent.rmdir()
            removed += 1
    return removed


def refresh_index(settings: Settings, context=None) -> None:
    """Rebuild index.html from the stored results (after pruning), without re-rendering pages."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    prune(settings)
    context = context or file_context(settings)
    # An identifier that matches nothing: every section is skipped, only the index is built.
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=[ExpectationSuiteIdentifier(name="__index_only__")], build_index=True)
