"""The Dagster UI, for real: the webserver on a free loopback port with the repository's instance
configuration, queried through its GraphQL API, then stopped by process id with its children."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT

BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body["errors"]
    return body["data"]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole process group (webserver and code server), SIGKILL if it lingers."""
    if not _group_alive(process.pid):
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 30
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


WORKSPACE = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(REPO_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")  # the real instance config
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "OUTCOMES_DATA_DIR": str(home / "data"), "DAGSTER_DISABLE_TELEMETRY": "true"}
    log = (home / "webserver.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-m", "pipelines.definitions"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with its children by its id
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            assert process.poll() is None, (home / "webserver.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the webserver did not load the code location in time"
            try:
                entries = _graphql(url, WORKSPACE)["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["loadStatus"] == "LOADED":
                    assert entries[0]["locationOrLoadError"]["__typename"] == "RepositoryLocation", entries
                    break
            except OSError:
                pass  # not listening yet
            time.sleep(1)
        yield {"url": url, "port": port, "process": process, "home": home}
    finally:
        _stop(process)
        log.close()


def test_the_asset_graph_reads_from_raw_files_to_the_publication(webserver):
    nodes = _graphql(
        webserver["url"],
        "{ assetNodes { assetKey { path } groupName kinds owners { ... on TeamAssetOwner { team } } "
        "dependencyKeys { path } isPartitioned description } }",
    )["assetNodes"]
    by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}

    raw = by_key["raw/mosaic/ssd_cin_episodes"]
    assert raw["groupName"] == "raw" and "duckdb" in raw["kinds"]
    assert by_key["staging/stg_mosaic__referrals"]["groupName"] == "staging"
    assert ["raw", "mosaic", "ssd_cin_episodes"] in [d["path"] for d in by_key["staging/stg_mosaic__referrals"]["dependencyKeys"]]
    mart = by_key["marts/outcome_measures"]
    assert mart["groupName"] == "marts"
    assert {"dbt", "duckdb", "greatexpectations"} <= set(mart["kinds"])
    assert mart["owners"] == [{"team": "data-engineering"}]
    assert mart["description"]
    assert by_key["reference/boroughs"]["groupName"] == "reference"

    signed_off = by_key["marts/signed_off_figures"]
    assert signed_off["isPartitioned"] is True
    assert ["marts", "outcome_measures"] in [d["path"] for d in signed_off["dependencyKeys"]]
    published = by_key["published/outcomes_database"]
    assert published["groupName"] == "published"
    parents = [d["path"] for d in published["dependencyKeys"]]
    assert ["marts", "outcome_measures"] in parents and ["marts", "signed_off_figures"] in parents


def test_the_schedules_and_sensors_are_listed(webserver):
    data = _graphql(
        webserver["url"],
        "{ repositoriesOrError { ... on RepositoryConnection { nodes { "
        "schedules { name cronSchedule executionTimezone pipelineName scheduleState { status } } "
        "sensors { name sensorState { status } } "
        "pipelines { name isJob } } } } }",
    )
    [repository] = data["repositoriesOrError"]["nodes"]
    schedules = {s["name"]: s for s in repository["schedules"]}
    nightly = schedules["nightly_0200_london"]
    assert (nightly["cronSchedule"], nightly["executionTimezone"], nightly["pipelineName"]) == ("0 2 * * *", "Europe/London", "nightly")
    assert nightly["scheduleState"]["status"] == "RUNNING"
    quarterly = schedules["sign_off_closed_quarter"]
    assert (quarterly["cronSchedule"], quarterly["pipelineName"]) == ("0 7 20 1,4,7,10 *", "sign_off_quarter")
    sensors = {s["name"]: s["sensorState"]["status"] for s in repository["sensors"]}
    assert sensors == {"new_extract": "RUNNING", "record_run_failure": "RUNNING"}
    assert {"nightly", "sign_off_quarter"} <= {p["name"] for p in repository["pipelines"]}


def test_it_listens_on_the_loopback_interface_only(webserver):
    # The machine's own outward address (a UDP "connect" sends nothing, it only picks a route).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            address = probe.getsockname()[0]
        except OSError:
            address = None
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback address to try")
    with socket.socket() as client:
        client.settimeout(5)
        assert client.connect_ex((address, webserver["port"])) != 0


def test_it_stops_by_process_id_with_its_children(webserver):
    process = webserver["process"]
    children = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert str(process.pid) in children and len(children) >= 2  # the webserver and its code server

    _stop(process)

    assert process.poll() is not None
    assert not _group_alive(process.pid)
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    with socket.socket() as client:
        assert client.connect_ex(("127.0.0.1", webserver["port"])) != 0
