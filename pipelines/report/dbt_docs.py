"""The data catalogue: dbt's own static documentation site (`dbt docs generate --static`), one
self-contained HTML file with every model, source, seed and column, their descriptions and
classifications, and the lineage graph.

It is generated against the build database (for column types) into data/work/dbt_docs/, and
cached by the manifest's hash: the models and columns change only when the project does, so a
night with no code change copies the cached file in a moment.

Made safe to open offline: dbt's page only loads a tracker when the manifest says usage stats
are on (they are off here, settings.TELEMETRY_OFF); the tracker's address is removed anyway, and
a Content-Security-Policy forbids every fetch, so the file can never reach the network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR, TELEMETRY_OFF, Settings

STATIC_INDEX = "static_index.html"
TRACKER_ADDRESS = "//d1fc8wv8zag5ca.cloudfront.net/2.9.0/sp.js"
# Angular (dbt's page) needs inline script and eval; nothing may be fetched.
CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:"
TIMEOUT_SECONDS = 600


class DbtDocsError(RuntimeError):
    """dbt could not generate the documentation site."""


def _project_manifest() -> Path:
    from pipelines.assets.dbt import dbt_project

    return dbt_project.manifest_path


def make_offline(html: str) -> str:
    """dbt's static page with the tracker address removed and a policy that forbids any fetch."""
    if '"send_anonymous_usage_stats": true' in html:
        raise DbtDocsError("The dbt manifest has anonymous usage stats switched on: the docs page would load a tracker.")
    html = html.replace(TRACKER_ADDRESS, "about:blank")
    policy = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    head = html.find("<head>")
    if head < 0:
        raise DbtDocsError("dbt's static page has no <head>.")
    return html[: head + len("<head>")] + policy + html[head + len("<head>") :]


def generate(settings: Settings) -> Path:
    """The offline catalogue page for the current project, generated if not cached."""
    manifest = _project_manifest()
    key = hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    work = settings.work_dir / "dbt_docs"
    cached = work / f"data_catalogue-{key}.html"
    if cached.exists():
        return cached
    target = work / "target"
    target.mkdir(parents=True, exist_ok=True)
    # With --no-compile dbt embeds the manifest it finds in the target folder: the project's own
    # (the one the Dagster definitions load), so the catalogue describes exactly what runs.
    shutil.copyfile(manifest, target / "manifest.json")
    env = {**os.environ, **TELEMETRY_OFF, **settings.dbt_env()}
    command = [
        str(Path(sys.executable).parent / "dbt"), "docs", "generate", "--static", "--no-compile",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROFILES_DIR), "--target-path", str(target),
    ]
    done = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    produced = target / STATIC_INDEX
    if done.returncode != 0 or not produced.exists():
        raise DbtDocsError(f"dbt docs generate failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    staging = cached.with_suffix(".tmp")
    staging.write_text(make_offline(produced.read_text(encoding="utf-8")), encoding="utf-8")
    os.replace(staging, cached)
    for old in work.glob("data_catalogue-*.html"):  # keep only the current project's page
        if old != cached:
            old.unlink(missing_ok=True)
    return cached


def copy_into(settings: Settings, folder: Path, name: str) -> Path:
    destination = folder / name
    shutil.copyfile(generate(settings), destination)
    return destination
