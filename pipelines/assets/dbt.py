"""dbt models as Dagster assets: one asset per model; dbt tests run inside the same build.

Keys follow the layer: staging/<model>, intermediate/<model>, marts/<model>, measures/<model>,
reference/<seed>; dbt sources map to raw/<source>/<table>, the keys of the ingest assets, so the
graph is continuous. The whole project builds in one `dbt build` step (one process, one
DuckDB connection), which is much cheaper than a step per model.

dbt tests are not Dagster asset checks: with hundreds of them (some 1,500 at first, 125 now),
planning, recording and outputting one check each cost Dagster three SQLite event writes per
test, most of the run at bi-borough volume (docs/benchmarks.md). A failing test still fails the
dbt step, with the test's failing rows in the failure (dbt_failures.py), so nothing downstream
(validation, publication) runs; the mart's metadata counts the tests by status and names any
that did not pass. The blocking checks in the UI are the Great Expectations suites.
"""

import fcntl
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version as versions

from pipelines.assets.dbt_failures import describe, failed_test_rows
from pipelines.assets.table_metadata import with_table_metadata
from pipelines.operations.build_inputs import FORCE_ENV, unchanged_since_publication
from pipelines.operations.retention import stale
from pipelines.operations.retries import wait_for_build_database
from pipelines.resources import WarehouseResource, default_warehouse
from pipelines.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR
from pipelines.validation.gx_runner import preload_great_expectations

OWNER = "team:data-engineering"
LAYERS = ("staging", "intermediate", "measures", "marts", "published")

# dbt's own log file (dbt.log in each build's target folder) at warnings and errors only. At its
# default, debug, it held every query of every node: 16 MB a build, written by a handler that
# took a lock, checked for rotation and flushed for each of some 13,000 records: 2 to 4 s of a
# 33 s `dbt build` on the tests' tiny extract, about 5 s of the dbt step in the benchmark at
# scale 1 (docs/benchmarks.md, item 21). dbt's info-level output (each node's result; an error
# with the path of its compiled SQL) still reaches the run's log through dagster-dbt, and the
# compiled SQL stays in the target folder.
BUILD_LOG_FLAGS = ("--log-level-file", "warn")
KEEP_TARGET_FOLDERS = 5
TARGET_GRACE_SECONDS = 3600.0

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROFILES_DIR)


def _manifest_is_stale(manifest: Path | None = None) -> bool:
    """No manifest (a fresh clone), a dbt file changed since it was written, or a manifest made
    in another folder (a moved or copied repository). A stale manifest lacks the nodes dbt now
    runs, and dagster-dbt fails on the first one it does not know; one made elsewhere points
    dbt's saved parse state at seed files that are not there."""
    manifest = manifest or dbt_project.manifest_path
    if not manifest.exists():
        return True
    written = manifest.stat().st_mtime
    dbt_files = [DBT_PROJECT_DIR / "dbt_project.yml", *(p for p in DBT_PROFILES_DIR.rglob("*") if p.is_file())]
    if any(path.stat().st_mtime > written for path in dbt_files):
        return True
    return _manifest_root(manifest) != str(DBT_PROJECT_DIR)


def _manifest_root(manifest: Path) -> str | None:
    """The project folder the manifest was parsed in (every node records it as root_path)."""
    # The first occurrence is enough, and searching the text is much cheaper than loading
    # the whole manifest (megabytes of JSON) at every start-up only for this.
    try:
        found = re.search(rb'"root_path": ("(?:[^"\\]|\\.)*")', manifest.read_bytes())
    except OSError:
        return None
    return json.loads(found.group(1)) if found else None


def parse_project() -> None:
    """`dbt parse` with `outcomes-dbt`, leaving the manifest the definitions load and a
    partial-parse state the nightly `dbt build` can use as it is, in whichever data folder it
    runs (pipelines/dbt_cli.py). One process at a time: a second one waits, and parses only if
    the manifest is still stale when its turn comes (two test workers may start together).

    Not dagster-dbt's preparer, for two reasons. It runs plain dbt, whose saved state then fails
    `outcomes-dbt`'s check, so the project was parsed whole twice. And it marks every seed as
    changed in the saved state, in case the state was made in another folder (a CI image) where
    the seeds' paths differ: dbt then re-parsed the 11 seeds and the 87 files that use them at
    every run, its first node starting 4.7 s after dbt did against 1.7 s from an untouched state
    (docs/benchmarks.md, item 18). Here the state is always made in this folder
    (`_manifest_is_stale` parses again when the repository has moved). Its other job, `dbt
    deps`, has nothing to do: the project uses no dbt packages (nothing may download).
    """
    def manifest_written() -> float | None:
        return dbt_project.manifest_path.stat().st_mtime if dbt_project.manifest_path.exists() else None

    target = dbt_project.target_path
    target.mkdir(parents=True, exist_ok=True)
    started = manifest_written()
    with open(target / "parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if manifest_written() != started and not _manifest_is_stale():
            return  # another process parsed while this one waited
        with default_warehouse().dbt_environment():
            dbt_resource().cli(["parse", "--quiet"], target_path=target).wait()


def ensure_manifest() -> None:
    """Parse the dbt project when the manifest is missing or stale, so that the definitions load
    and match what dbt will run (`make setup` parses too; this covers `python -m pipelines run`
    and the benchmark after a dbt file was edited)."""
    if _manifest_is_stale():
        parse_project()


class OutcomesDbtCliResource(DbtCliResource):
    """The dbt beside this interpreter, without the two things dagster-dbt does before every
    command that this project never uses (docs/benchmarks.md, item 26):

    - it runs `dbt --version` in a subprocess (1.1 s of CPU) to tell dbt Core from the Fusion engine:
      the dbt here is the dbt-core installed with this interpreter, whose version is known;
    - it loads the dbt project, profile and macros into this process (1.1 s) to make a dbt
      adapter, which serves only its row-count and column-metadata fetchers. This project
      counts rows itself after the build (table_metadata.py).

    Both are private methods of dagster-dbt 0.29 (pinned ~=0.29); test_project_loads checks that
    they still exist, so an upgrade that renames them fails a test instead of slowing down."""

    @cached_property
    def _cli_version(self) -> versions.Version:
        return versions.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


DBT_EXECUTABLE = Path(sys.executable).parent / "outcomes-dbt"


def dbt_resource() -> OutcomesDbtCliResource:
    """dbt as `outcomes-dbt` beside this interpreter (so a run works without activating the
    venv), which reuses one saved parse of the project in every data folder
    (pipelines/dbt_cli.py)."""
    return OutcomesDbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))


def _layer(props: Mapping[str, Any]) -> str:
    if props["resource_type"] == "seed":
        return "reference"
    fqn = props.get("fqn", [])
    for layer in reversed(LAYERS):
        if layer in fqn:
            return layer
    return "marts"


class OutcomesDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([_layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        layer = _layer(dbt_resource_props)
        return "marts" if layer == "measures" else layer

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]


ensure_manifest()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=OutcomesDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False)),
    op_tags={"outcomes/writer": "build_db"},
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # Another process holding the database is transient: wait and retry rather than fail mid-build.
    wait_for_build_database(context, warehouse.settings.warehouse_path)
    # Nothing new since the last publication: yield nothing, so the checks and the publication
    # downstream are skipped too (pipelines/operations/build_inputs.py). Only for a full build; a
    # model materialised on its own from the UI is always built.
    full_build = set(context.selected_asset_keys) == set(context.assets_def.keys)
    if full_build:
        with warehouse.connect() as con:
            publication_id = unchanged_since_publication(con, warehouse.settings)
        if publication_id is not None:
            context.log.info(f"No new extract and no code change since publication {publication_id}: nothing to rebuild, check or publish ({FORCE_ENV}=1 rebuilds anyway).")
            return
    with warehouse.dbt_environment():
        invocation = dbt.cli(["build", *BUILD_LOG_FLAGS], context=context)
        # The validations that follow a full build need Great Expectations: import it while dbt
        # works (a model rebuilt on its own from the UI is usually not followed by them).
        if full_build:
            preload_great_expectations()
        try:
            yield from with_table_metadata(context, _stopping_dbt_on_error(invocation), warehouse.settings.warehouse_path)
        except Exception as error:
            found = failed_test_rows(Path(invocation.target_path), warehouse.settings.warehouse_path)
            if not found:
                raise
            # A failed test is a data error: running the build again cannot change the answer.
            raise dg.Failure(description=f"{describe(found)}\n\n{error}", allow_retries=False) from error
        finally:
            try:
                prune_target_folders(invocation.target_path)
            except OSError as exc:  # housekeeping: never fail a build, or hide its error, over it
                context.log.warning(f"Older dbt target folders not pruned: {exc}")


def prune_target_folders(current: Path, keep: int = KEEP_TARGET_FOLDERS, grace_seconds: float = TARGET_GRACE_SECONDS) -> list[Path]:
    """Remove the target folders of older builds, keeping `current` and the newest few.

    dagster-dbt gives every invocation a folder of its own, named <op>-<run id's first 7
    characters>-<7 random characters> (target/dbt_models-...), with the manifest, the parse
    state, the compiled SQL and run_results.json: 18 MB, 34 MB with dbt's debug log. Nothing
    removed them, so a nightly service gathered gigabytes a year. The newest few stay, for the
    compiled SQL of a recent failure; so does any folder changed within the grace period, which
    another build may still be writing (the test suite runs builds side by side)."""
    prefix = current.name.rsplit("-", 2)[0] + "-"  # this op's folders only

    def last_changed(folder: Path) -> float:
        # dbt writes into the folder's subfolders as it goes, which leaves the folder's own
        # time alone: take the latest of it and what it holds.
        return max([folder.stat().st_mtime, *(child.stat().st_mtime for child in folder.iterdir())])

    builds = [p for p in current.parent.glob(f"{prefix}*") if p.is_dir()]
    removed = []
    for folder in stale(builds, in_use=current, newest=keep, grace_seconds=grace_seconds, changed=last_changed):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


def _stopping_dbt_on_error(invocation) -> Iterator:
    """The invocation's events; if reading them fails while dbt still runs (an event dagster-dbt
    cannot map, say), stop dbt first, so that it does not go on building and holding the
    warehouse's lock after the step has failed, and the step reports the error that ended it."""
    try:
        yield from invocation.stream()
    except BaseException:
        if invocation.process.poll() is None:
            invocation.process.terminate()
            try:
                invocation.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                invocation.process.kill()
                invocation.process.wait()
        raise
