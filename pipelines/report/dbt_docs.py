"""The data catalogue: dbt's own static documentation site (`dbt docs generate --static`), one
self-contained HTML file with every model, source, seed and column, their descriptions and
classifications, and the lineage graph.

It is generated against the build database (for column types) and cached beside dbt's other
artefacts (target/data_catalogue/), keyed by the project as the manifest describes it: the
models, columns and their types change only when the project does, so a night with no code
change (and every other data folder run by the same code, such as the tests') links the cached
file in a moment. The key leaves out what dbt stamps afresh on every parse (the manifest's
`metadata` block and each node's `created_at`); a key on the file's bytes made every re-parse of
an unchanged project generate the page again (about 10 s at every scale, docs/benchmarks.md).

Made safe to open offline: dbt's page only loads a tracker when the manifest says usage stats
are on (they are off here, settings.TELEMETRY_OFF); the tracker's address is removed anyway, and
a Content-Security-Policy forbids every fetch, so the file can never reach the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.operations.retention import stale
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


# Stamped by dbt on every parse, whether or not anything changed.
PARSE_STAMPS = ("created_at",)


def _without_parse_stamps(value):
    if isinstance(value, dict):
        return {k: _without_parse_stamps(v) for k, v in value.items() if k not in PARSE_STAMPS}
    if isinstance(value, list):
        return [_without_parse_stamps(v) for v in value]
    return value


def project_key(manifest: Path) -> str:
    """A hash of what the manifest says about the project, not of when it was parsed. The dbt
    version stays in the key: another dbt renders another page."""
    content = json.loads(manifest.read_text(encoding="utf-8"))
    metadata = content.pop("metadata", {})
    content = _without_parse_stamps(content)
    content["dbt_version"] = metadata.get("dbt_version")
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def generate(settings: Settings) -> Path:
    """The offline catalogue page for the current project, generated if not cached."""
    manifest = _project_manifest()
    key = project_key(manifest)
    work = manifest.parent / "data_catalogue"
    cached = work / f"data_catalogue-{key}.html"
    if cached.exists():
        return cached
    # A working folder of this process's own: two runs may generate at once.
    target = work / f"target-{os.getpid()}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
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
        shutil.rmtree(target, ignore_errors=True)
        raise DbtDocsError(f"dbt docs generate failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    staging = cached.with_suffix(f".{os.getpid()}.tmp")
    staging.write_text(make_offline(produced.read_text(encoding="utf-8")), encoding="utf-8")
    os.replace(staging, cached)
    # dbt's working files (manifest, catalogue, parse cache: megabytes) are not needed again
    # until the project changes, when dbt parses afresh anyway (the profile's paths differ).
    shutil.rmtree(target, ignore_errors=True)
    _prune(work, keep=cached)
    return cached


def _prune(work: Path, keep: Path, newest: int = 4, grace_seconds: int = 600) -> None:
    """Drop pages of older manifests: all but the newest few, and never one another run may be
    about to link (younger than the grace period)."""
    for page in stale(work.glob("data_catalogue-*.html"), in_use=keep, newest=newest, grace_seconds=grace_seconds):
        page.unlink(missing_ok=True)


def copy_into(settings: Settings, folder: Path, name: str) -> Path:
    """The catalogue page into a report folder: a hard link where it can be (the same 7 MB page
    serves every publication built from the same project), else a copy."""
    source, destination = generate(settings), folder / name
    try:
        os.link(source, destination)
    except OSError:
        shutil.copyfile(source, destination)
    return destination
