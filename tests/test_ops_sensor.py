"""The new-extract sensor, evaluated for real against a real (SQLite) Dagster instance.

It must launch exactly one run for a new extract folder, none for a folder it has seen (even
when its cursor is lost), none for a delivery in progress, and a new one for a corrected delivery.
"""

from __future__ import annotations

import hashlib
import os
import time

import dagster as dg
import pytest

from pipelines.resources import WarehouseResource
from pipelines.sensors import NEW_EXTRACT_SENSOR, new_extract_sensor

PERSON_CSV = b"person_id\nP1\n"  # 10 + 3 = 13 bytes


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def deliver(settings, source: str, extract: str, files: dict[str, bytes], age_seconds: float = 600) -> None:
    """Write an extract folder; by default its files are old enough to count as fully delivered."""
    folder = settings.raw_dir / source / extract
    folder.mkdir(parents=True, exist_ok=True)
    past = time.time() - age_seconds
    for name, content in files.items():
        (folder / name).write_bytes(content)
        os.utime(folder / name, (past, past))


def tick(instance, settings, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, sensor_name=NEW_EXTRACT_SENSOR, resources={"warehouse": WarehouseResource(data_dir=str(settings.data_dir))}
    )
    return new_extract_sensor(context)


def launch(instance, request: dg.RunRequest) -> None:
    """Create the run the way the sensor daemon does: the job's tags, the request's, the sensor's."""
    from pipelines.definitions import defs

    job = defs.resolve_job_def("nightly")
    tags = {**job.tags, **request.tags, "dagster/sensor_name": NEW_EXTRACT_SENSOR, "dagster/run_key": request.run_key}
    instance.create_run_for_job(job_def=job, tags=tags)


def test_one_run_for_a_new_folder_and_none_for_a_folder_it_has_seen(instance, settings):
    deliver(settings, "mosaic", "2023-06-15", {"ssd_person.csv": PERSON_CSV})

    first = tick(instance, settings, cursor=None)
    assert len(first.run_requests) == 1
    request = first.run_requests[0]
    # The folder checksum, by its definition: sha256 over the folder's place and one line per
    # file (name, size, sha256 of the bytes); the run key hashes `<folder>=<checksum>`.
    checksum = hashlib.sha256(
        b"mosaic/2023-06-15\nssd_person.csv\t13\t" + hashlib.sha256(PERSON_CSV).hexdigest().encode()
    ).hexdigest()
    assert request.run_key == hashlib.sha256(f"mosaic/2023-06-15={checksum}".encode()).hexdigest()
    assert request.tags["outcomes/extracts"] == "mosaic/2023-06-15"
    assert request.tags["outcomes/trigger"] == "new_extract"
    launch(instance, request)

    # Next tick, same folder: nothing to do.
    second = tick(instance, settings, cursor=first.cursor)
    assert second.run_requests == []
    assert "No new extract folder" in second.skip_reason.skip_message

    # The cursor lost (sensor reset): the instance still knows the run key, so no second run.
    reset = tick(instance, settings, cursor=None)
    assert reset.run_requests == []
    assert "Already ran for mosaic/2023-06-15" in reset.skip_reason.skip_message
    assert len(instance.get_run_records(dg.RunsFilter(tags={"dagster/sensor_name": NEW_EXTRACT_SENSOR}))) == 1


def test_deliveries_in_progress_are_left_alone(instance, settings):
    # Named as in progress (see pipelines/ingest/extracts.py): never looked at.
    deliver(settings, "mosaic", "_incoming", {"ssd_person.csv": PERSON_CSV})
    deliver(settings, "ons", ".2023-06-01.partial", {"mid_year_estimates.csv": b"x\n"})
    idle = tick(instance, settings, cursor=None)
    assert idle.run_requests == []

    # Properly named but a file was written seconds ago: wait for it to settle.
    deliver(settings, "mosaic", "2023-06-15", {"ssd_person.csv": PERSON_CSV}, age_seconds=0)
    copying = tick(instance, settings, cursor=idle.cursor)
    assert copying.run_requests == []
    assert "still being written: mosaic/2023-06-15" in copying.skip_reason.skip_message

    # The delivery finishes (renamed from _incoming, or the copy settles): one run, for it alone.
    deliver(settings, "mosaic", "2023-06-15", {"ssd_person.csv": PERSON_CSV}, age_seconds=600)
    ready = tick(instance, settings, cursor=copying.cursor)
    assert [r.tags["outcomes/extracts"] for r in ready.run_requests] == ["mosaic/2023-06-15"]


def test_folders_arriving_together_share_one_run(instance, settings):
    deliver(settings, "mosaic", "2023-06-15", {"ssd_person.csv": PERSON_CSV})
    deliver(settings, "ons", "2023-06-01", {"mid_year_estimates.csv": b"area_code\nE09000020\n"})
    result = tick(instance, settings, cursor=None)
    # One nightly run ingests every new extract; two runs would just queue the same work twice.
    assert len(result.run_requests) == 1
    assert result.run_requests[0].tags["outcomes/extracts"] == "mosaic/2023-06-15, ons/2023-06-01"


def test_a_corrected_delivery_runs_again(instance, settings):
    deliver(settings, "mosaic", "2023-06-15", {"ssd_person.csv": PERSON_CSV})
    first = tick(instance, settings, cursor=None)
    launch(instance, first.run_requests[0])

    # The council re-sends the same folder with a corrected file: a new checksum, a new run.
    deliver(settings, "mosaic", "2023-06-15", {"ssd_person.csv": b"person_id\nP2\n"})
    corrected = tick(instance, settings, cursor=first.cursor)
    assert len(corrected.run_requests) == 1
    assert corrected.run_requests[0].run_key != first.run_requests[0].run_key
    launch(instance, corrected.run_requests[0])

    # The same bytes under another extract date are another extract (its date drives the as-at).
    deliver(settings, "mosaic", "2023-06-16", {"ssd_person.csv": b"person_id\nP2\n"})
    redated = tick(instance, settings, cursor=corrected.cursor)
    assert [r.tags["outcomes/extracts"] for r in redated.run_requests] == ["mosaic/2023-06-16"]
