"""Shared fixtures: every test gets its own data folder and pseudonymisation key.

Tests run the real thing: the Dagster job in-process against DuckDB files in a temporary
folder, real dbt, real Great Expectations. Nothing is mocked.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest

from pipelines.settings import Settings, switch_off_telemetry

switch_off_telemetry()

FIXTURES = Path(__file__).parent / "fixtures"
TEST_KEY = "5e" * 32


# The files that run the whole nightly job, longest first (on a 2-core machine: about 3.5 minutes
# for the dirty end to end, a minute or two for each of the others). `make test` has pytest-xdist
# hand files to its workers in collection order (--no-loadscope-reorder); by default it sends the
# files with the most tests first, which left the publication gate (two tests, nearly three
# minutes) to start last while the other worker had nothing to do. The first two need different
# session fixtures, so neither worker waits for the other to build one. Files not named here
# keep their order, after these.
LONGEST_FIRST = (
    "test_dirty_end_to_end.py",
    "test_spine_golden.py",  # builds the golden run most of the next ones copy
    "test_publication_gate.py",
    "test_ops_reader.py",
    "test_publication_breakage.py",
    "test_catalogue_marts.py",
    "test_education_golden.py",
    "test_youth_justice_golden.py",
    "test_looked_after_golden.py",
    "test_safeguarding_golden.py",
    "test_privacy.py",
    "test_ingest_history.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file's own order kept


@pytest.fixture(autouse=True)
def pseudonymisation_key(monkeypatch):
    monkeypatch.setenv("OUTCOMES_PSEUDONYMISATION_KEY", TEST_KEY)
    return bytes.fromhex(TEST_KEY)


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.setenv("OUTCOMES_DATA_DIR", str(tmp_path / "data"))
    s = Settings(data_dir=tmp_path / "data")
    s.ensure_dirs()
    return s


def copy_fixture(name: str, settings: Settings) -> None:
    """Copy tests/fixtures/<name>/<source>/<extract>/ into the landing zone."""
    shutil.copytree(FIXTURES / name, settings.raw_dir, dirs_exist_ok=True)


def copy_tiny_with_a_june_extract(settings: Settings, *more_people: str) -> Path:
    """The tiny fixture plus a second Mosaic extract, of 15 June 2023: May's files again, with
    P001's sex changed to M, a new child P103 and any `more_people` rows (CSV lines) added to
    the persons. Returns the June extract's folder."""
    copy_fixture("tiny", settings)
    may = settings.raw_dir / "mosaic" / "2023-05-15"
    june = settings.raw_dir / "mosaic" / "2023-06-15"
    shutil.copytree(may, june)
    person = june / "ssd_person.csv"
    text = person.read_text().replace("207,P001,Ann,Example,F,", "207,P001,Ann,Example,M,")
    person.write_text(text + "213,P103,Gus,Example,M,WBRI,2012-12-12\n" + "".join(f"{row}\n" for row in more_people))
    return june


def clone_data(run: Settings, settings: Settings) -> Settings:
    """Copy a finished run's whole data folder (landing zone, archive, build database,
    publications; the relative `latest` symlink kept) into `settings.data_dir`, so a test can
    start from a published warehouse without running the nightly job again."""
    shutil.copytree(run.data_dir, settings.data_dir, symlinks=True, dirs_exist_ok=True)
    return settings


def run_nightly(settings: Settings) -> dg.ExecuteInProcessResult:
    """Run the nightly job in-process against `settings.data_dir`."""
    from pipelines.definitions import defs
    from pipelines.resources import WarehouseResource

    job = defs.resolve_job_def("nightly")
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": WarehouseResource(data_dir=str(settings.data_dir))},
        raise_on_error=False,
    )


def failed_steps(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    failures = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error.cause is not None:
                error = error.cause
            failures[event.step_key] = error.message
    return failures


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        e.event_specific_data.asset_check_key.name: e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


@pytest.fixture(scope="session")
def synthetic_extract(tmp_path_factory) -> Path:
    """The whole synthetic bi-borough at the default seed and scale, generated once per session
    (about a minute) and shared by the generator tests: a landing zone they read, never write."""
    from pipelines.synthetic.generate import GenerationSpec, generate

    out = shared_folder(tmp_path_factory, "synthetic") / "raw"
    with built_once(out.parent) as missing:
        if missing:
            generate(out, GenerationSpec())
    return out


@contextmanager
def data_dir_env(data: Path):
    """Point OUTCOMES_DATA_DIR (and the test key) at `data` for a fixture wider than one test,
    where monkeypatch cannot reach, and put the environment back afterwards."""
    saved = {k: os.environ.get(k) for k in ("OUTCOMES_DATA_DIR", "OUTCOMES_PSEUDONYMISATION_KEY")}
    os.environ["OUTCOMES_DATA_DIR"] = str(data)
    os.environ["OUTCOMES_PSEUDONYMISATION_KEY"] = TEST_KEY
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def shared_folder(tmp_path_factory, name: str) -> Path:
    """A folder for a session fixture's result that every pytest-xdist worker of this session
    finds at the same path (the workers' temporary folders share a parent); without xdist, a
    folder of the session's own."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    return root / f"shared-{name}"


@contextmanager
def built_once(folder: Path):
    """Build `folder` once for all the session's workers: yield True to the first worker to get
    here (it builds the folder), False to the others, which wait for it and then read what it
    built. Each xdist worker would otherwise build its own copy of a session fixture: the golden
    run, a whole nightly run, was made twice in every `make test`. A build that fails leaves no
    mark, so the next worker tries again and fails the same way."""
    done = folder.with_name(folder.name + ".done")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if done.exists():
            yield False
            return
        shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
        yield True
        done.touch()


def fixture_run(tmp_path_factory, name: str, *fixtures: str):
    """Yield the settings of a data folder holding tests/fixtures/<each of fixtures>, after one
    successful run of the nightly job on it. The folder is shared by the session's workers, so
    tests read it and never write it (they copy it with `clone_data` to change anything)."""
    data = shared_folder(tmp_path_factory, name) / "data"
    with data_dir_env(data):
        settings = Settings(data_dir=data)
        with built_once(data.parent) as missing:
            if missing:
                settings.ensure_dirs()
                for fixture in fixtures or (name,):
                    copy_fixture(fixture, settings)
                result = run_nightly(settings)
                assert result.success, failed_steps(result)
        yield settings


@pytest.fixture(scope="session")
def golden_run(tmp_path_factory):
    """The nightly job run once on the tiny hand-written fixture; shared by several modules."""
    yield from fixture_run(tmp_path_factory, "golden", "tiny")


@pytest.fixture(scope="session")
def catalogue_run(tmp_path_factory):
    """The nightly job on the tiny fixture plus a later manual delivery (tests/fixtures/catalogue)
    whose figures meet targets and comparators of the seeds; see tests/test_catalogue_marts.py."""
    yield from fixture_run(tmp_path_factory, "catalogue", "tiny", "catalogue")


@pytest.fixture(scope="session")
def safeguarding_run(tmp_path_factory):
    """The nightly job on the safeguarding fixture (tests/fixtures/safeguarding): contacts,
    assessments and their factors, child protection plans and visits, early help, EHC plans and
    short breaks, with answers worked out by hand in tests/test_safeguarding_golden.py."""
    yield from fixture_run(tmp_path_factory, "safeguarding")


@pytest.fixture(scope="session")
def looked_after_run(tmp_path_factory):
    """The nightly job on the looked-after fixture (tests/fixtures/looked_after): periods of care
    with placement and legal status changes, short breaks, returns home, missing episodes, health
    checks, SDQs, convictions, care leavers' birthday contacts and the Ofsted provider register,
    with answers worked out by hand in tests/test_looked_after_golden.py."""
    yield from fixture_run(tmp_path_factory, "looked_after")


@pytest.fixture(scope="session")
def education_run(tmp_path_factory):
    """The nightly job on the education fixture (tests/fixtures/education): a school census with
    children known to social care, attendance, exclusions, results, a school register with
    Ofsted history, early years funding and home education, with answers worked out by hand in
    tests/test_education_golden.py."""
    yield from fixture_run(tmp_path_factory, "education")
