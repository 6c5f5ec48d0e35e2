"""Great Expectations Data Docs: the static HTML history of every validation.

A file-backed GX project under <data>/work/gx keeps every validation result (JSON); its one
Data Docs site is written to <data>/published/data_docs/, beside the publication, so whoever
reads the figures can open index.html and see every run's validations, passed or failed. The
Dagster check links to the page of its own run.

The pages are rendered by GX from its own templates; they link GX's stylesheets from a CDN,
which a machine with no route out simply does without (the tables read fine unstyled).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pipelines.settings import Settings, switch_off_telemetry

SITE_NAME = "published"


def site_directory(settings: Settings) -> Path:
    return settings.published_dir / "data_docs"


def project_directory(settings: Settings) -> Path:
    return settings.work_dir / "gx"


def file_context(settings: Settings):
    """The GX project of this data folder, created on first use, with the published site only."""
    switch_off_telemetry()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    root = project_directory(settings)
    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(root))
    site = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_directory(settings))},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
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
