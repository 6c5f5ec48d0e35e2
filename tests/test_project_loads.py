"""The code location loads and the dbt project parses, as a fresh clone would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import REPO_ROOT

BIN = Path(sys.executable).parent


def _env(tmp_path) -> dict:
    env = dict(os.environ)
    env.update({"DAGSTER_HOME": str(tmp_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "OUTCOMES_DATA_DIR": str(tmp_path / "data")})
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return env


def test_dagster_definitions_validate(tmp_path):
    out = subprocess.run([str(BIN / "dagster"), "definitions", "validate", "-m", "pipelines.definitions"], cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "Validation successful" in (out.stdout + out.stderr)


def test_dbt_parse(tmp_path):
    out = subprocess.run(
        [str(BIN / "dbt"), "parse", "--profiles-dir", "dbt_project", "--target-path", str(tmp_path / "target")],
        cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:]


def test_a_parse_made_for_one_data_folder_serves_another(tmp_path):
    """`outcomes-dbt` (pipelines/dbt_cli.py) leaves the warehouse path and the DuckDB options
    out of dbt's check of its saved parse, so a build in any data folder (every test fixture's,
    a second deployment's) reuses the parse `make setup` made, instead of parsing the whole
    project again. If an upgrade of dbt or dbt-duckdb changes how the check is made, the second
    parse below starts again from scratch and this fails."""
    target = tmp_path / "target"

    def parse(data_folder: Path) -> str:
        env = _env(tmp_path) | {
            "OUTCOMES_WAREHOUSE_PATH": str(data_folder / "warehouse" / "build.duckdb"),
            "OUTCOMES_DUCKDB_SPILL_DIR": str(data_folder / "work" / "duckdb_spill"),
        }
        out = subprocess.run(
            [str(BIN / "outcomes-dbt"), "parse", "--profiles-dir", "dbt_project", "--target-path", str(target)],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout[-3000:]
        return out.stdout

    parse(tmp_path / "first")
    again = parse(tmp_path / "second")
    assert "Unable to do partial parsing" not in again, again[-2000:]


def test_the_saved_parse_state_holds_the_seeds_as_they_are():
    """`pipelines prepare` (run by `make setup`) leaves a partial-parse state whose seeds are
    current. dagster-dbt's preparer, which parse_project no longer uses, marks every seed as changed
    (a sentinel checksum) in case the state was made in another folder; dbt then re-parsed the
    seeds and the 87 files that use them at every nightly build, about 3 s each time."""
    import msgpack

    import pipelines.assets.dbt  # noqa: F401  (parses the project if its manifest is missing or stale)

    state = REPO_ROOT / "target" / "partial_parse.msgpack"
    files = msgpack.unpackb(state.read_bytes(), raw=False, strict_map_key=False)["files"]
    seeds = [entry for entry in files.values() if entry.get("parse_file_type") == "seed"]
    assert len(seeds) == len(list((REPO_ROOT / "dbt_project" / "seeds").glob("*.csv")))
    assert [entry["path"]["relative_path"] for entry in seeds if entry["checksum"]["checksum"] == "0" * 64] == []


def test_a_manifest_made_in_another_folder_is_parsed_again(tmp_path):
    """The saved state is only valid where it was made: a manifest whose nodes were parsed in
    another folder (a moved or copied repository) counts as stale."""
    import json

    from pipelines.assets.dbt import _manifest_is_stale, _manifest_root

    here = json.dumps(str(REPO_ROOT))
    text = (REPO_ROOT / "target" / "manifest.json").read_text(encoding="utf-8")
    assert f'"root_path": {here}' in text
    copied, moved = tmp_path / "copied.json", tmp_path / "moved.json"
    copied.write_text(text, encoding="utf-8")
    moved.write_text(text.replace(f'"root_path": {here}', '"root_path": "/elsewhere/\\"odd\\" folder"'), encoding="utf-8")
    assert _manifest_root(copied) == str(REPO_ROOT)
    assert _manifest_root(moved) == '/elsewhere/"odd" folder'
    assert not _manifest_is_stale(copied)  # written after every dbt file, parsed here
    assert _manifest_is_stale(moved)
    assert _manifest_is_stale(tmp_path / "missing.json")


def test_dbt_spills_where_the_pipeline_does(tmp_path, monkeypatch):
    """dbt's DuckDB connection takes the memory cap and the spill folder from the same settings as
    the pipeline's own (an operator moves the spill to another disk with one variable)."""
    from pipelines.settings import Settings

    spill = tmp_path / "other_disk" / "spill"
    monkeypatch.setenv("OUTCOMES_DUCKDB_SPILL_DIR", str(spill))
    monkeypatch.setenv("OUTCOMES_DUCKDB_MEMORY_LIMIT", "1GB")
    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    assert settings.duckdb_config()["temp_directory"] == str(spill)
    out = subprocess.run(
        [str(BIN / "dbt"), "show", "--inline", "select current_setting('temp_directory') as spill_dir, current_setting('memory_limit') as memory_cap",
         "--profiles-dir", "dbt_project", "--target-path", str(tmp_path / "target"), "--output", "json", "--quiet"],
        cwd=REPO_ROOT, env=_env(tmp_path) | settings.dbt_env(), capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert str(spill) in out.stdout, out.stdout
    assert "953.6 MiB" in out.stdout, out.stdout  # DuckDB shows 1GB (10^9 bytes) so


def test_asset_graph_runs_from_raw_files_to_publication():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert "raw/mosaic/ssd_cin_episodes" in keys
    assert "marts/outcome_measures" in keys
    assert "published/outcomes_database" in keys
    # Lineage: publication depends on the mart, which depends (through staging) on raw tables.
    from dagster import AssetKey

    seen, frontier = set(), [AssetKey(["published", "outcomes_database"])]
    while frontier:
        key = frontier.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in seen:
                seen.add(parent)
                frontier.append(parent)
    assert AssetKey(["raw", "mosaic", "ssd_cin_episodes"]) in seen
    assert AssetKey(["raw", "ons", "mid_year_estimates"]) in seen


def test_nightly_schedule_is_0200_london():
    from pipelines.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_0200_london")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/London"


def test_older_build_folders_are_pruned_and_recent_ones_kept(tmp_path):
    """Each build's target folder (tens of MB) is removed once it is neither among the newest few
    nor recent enough for another build to be writing it; other folders are never touched."""
    import time

    from pipelines.assets.dbt import prune_target_folders

    now = time.time()
    ages_hours = {"dbt_models-aaaaaaa-1": 50, "dbt_models-bbbbbbb-2": 40, "dbt_models-ccccccc-3": 30, "dbt_models-ddddddd-4": 20, "dbt_models-eeeeeee-5": 10}
    for name, hours in ages_hours.items():
        (tmp_path / name / "compiled").mkdir(parents=True)
        for path in (tmp_path / name / "compiled", tmp_path / name):
            os.utime(path, (now - hours * 3600, now - hours * 3600))
    # A long build's folder keeps its old time while dbt writes below it: it counts as recent.
    (tmp_path / "dbt_models-kkkkkkk-0" / "run").mkdir(parents=True)
    os.utime(tmp_path / "dbt_models-kkkkkkk-0", (now - 60 * 3600, now - 60 * 3600))
    (tmp_path / "dbt_models-fffffff-6").mkdir()  # a build another process is still writing
    (tmp_path / "docs").mkdir()  # not a build folder
    os.utime(tmp_path / "docs", (now - 99 * 3600, now - 99 * 3600))
    current = tmp_path / "dbt_models-ggggggg-7"
    current.mkdir()

    removed = prune_target_folders(current, keep=3, grace_seconds=3600)

    # Kept: the current build, the two newest others (both still being written) and the folder
    # that is not a build's; removed: the five older builds.
    assert sorted(p.name for p in removed) == ["dbt_models-aaaaaaa-1", "dbt_models-bbbbbbb-2", "dbt_models-ccccccc-3", "dbt_models-ddddddd-4", "dbt_models-eeeeeee-5"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dbt_models-fffffff-6", "dbt_models-ggggggg-7", "dbt_models-kkkkkkk-0", "docs"]

    # Folders changed within the grace period stay, however many there are beyond `keep`; an
    # older one beyond it goes.
    for name in ("dbt_models-h-8", "dbt_models-i-9", "dbt_models-j-10", "dbt_models-l-11"):
        (tmp_path / name).mkdir()
    os.utime(tmp_path / "dbt_models-l-11", (now - 30 * 3600, now - 30 * 3600))
    assert prune_target_folders(current, keep=1, grace_seconds=3600) == [tmp_path / "dbt_models-l-11"]


def test_the_dbt_resource_overrides_methods_dagster_dbt_still_has():
    """OutcomesDbtCliResource replaces two private methods of DbtCliResource (pipelines/assets/
    dbt.py). If an upgrade renames them, the overrides would silently do nothing: fail here."""
    from dagster_dbt import DbtCliResource

    from pipelines.assets.dbt import dbt_resource

    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), f"dagster-dbt no longer has DbtCliResource.{name}"
    resource = dbt_resource()
    version_output = subprocess.run([resource.dbt_executable, "--version"], capture_output=True, text=True, timeout=120).stdout
    assert str(resource._cli_version) in version_output  # the version dagster-dbt would have asked dbt for
    assert resource._initialize_dbt_core_adapter([]) is None


# Run in a child process: the wrapping changes dbt-common's classes for the whole process.
LOG_LINES_SCRIPT = r"""
import io, json, logging, sys
from pipelines.dbt_cli import _log_only_what_a_logger_keeps
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.logger import LineFormat, LoggerConfig, _JsonLogger
from dbt_common.events.types import Note, PrintEvent

if sys.argv[1] == "wrapped":
    _log_only_what_a_logger_keeps()
made = []
create_line = _JsonLogger.create_line
def counted(self, msg):  # watch the real method, then call it
    made.append((self.name, msg.info.level))
    return create_line(self, msg)
_JsonLogger.create_line = counted

stdout, log_file = io.StringIO(), sys.argv[2]
manager = EventManager()
manager.add_logger(LoggerConfig(name="out", line_format=LineFormat.Json, level=EventLevel.INFO, output_stream=stdout))
manager.add_logger(LoggerConfig(name="file", line_format=LineFormat.Json, level=EventLevel.WARN, output_file_name=log_file))
manager.fire_event(Note(msg="a debug line"), level=EventLevel.DEBUG)
manager.fire_event(Note(msg="an info line"), level=EventLevel.INFO)
manager.fire_event(Note(msg="a warning"), level=EventLevel.WARN)
manager.fire_event(PrintEvent(msg="printed"))
for logger in manager.loggers:
    logger.flush()
written = {"out": [json.loads(l)["info"]["msg"] for l in stdout.getvalue().splitlines()],
           "file": [json.loads(l)["info"]["msg"] for l in open(log_file)]}
print(json.dumps({"made": made, "written": written}))
"""


def test_outcomes_dbt_makes_only_the_log_lines_its_loggers_write(tmp_path):
    """`outcomes-dbt` (pipelines/dbt_cli.py) skips the debug events no logger writes: dbt's own
    loggers write exactly what they wrote before, and no line is made to be thrown away. Fails if
    an upgrade of dbt-common renames what the wrapping relies on."""
    results = {}
    for mode in ("plain", "wrapped"):
        out = subprocess.run([sys.executable, "-c", LOG_LINES_SCRIPT, mode, str(tmp_path / f"{mode}.log")], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
        results[mode] = json.loads(out.stdout.splitlines()[-1])
    plain, wrapped = results["plain"], results["wrapped"]
    assert plain["written"] == wrapped["written"] == {"out": ["an info line", "a warning", "printed"], "file": ["a warning", "printed"]}
    assert ["out", "debug"] in plain["made"] and ["file", "info"] in plain["made"]  # dbt alone: made, then dropped
    assert sorted(wrapped["made"]) == [["file", "info"], ["file", "warn"], ["out", "info"], ["out", "info"], ["out", "warn"]]
