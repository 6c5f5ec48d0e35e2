"""A failed run leaves a clear failure record and, when configured, an alert.

The failed run is real: the nightly job's manual-measures ingest on an extract that holds two
files for the same table (a delivery mistake the ingest refuses). The hooks are real servers on
127.0.0.1: an HTTP server as the webhook and a minimal SMTP server as the mail relay.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from pipelines.resources import WarehouseResource
from pipelines.sensors import record_run_failure
MANUAL_MEASURES_HEADER = "measure_id,area_code,period_type,period_start,period_end,period_label,statistic,breakdown,breakdown_value,numerator,denominator,value,unit,source_note,entered_by\n"


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"content_type": self.headers["Content-Type"], "json": json.loads(body)})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def webhook():
    """An HTTP server on a free loopback port; yields (url, the requests it received)."""
    received: list[dict] = []
    handler = type("Handler", (_Webhook,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts", received
    server.shutdown()
    server.server_close()


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib to hand over one message."""

    def handle(self):
        def reply(line: str) -> None:
            self.wfile.write((line + "\r\n").encode())

        reply("220 test-relay ready")
        envelope = {"from": None, "to": [], "data": ""}
        while line := self.rfile.readline().decode():
            verb = line.strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                reply("250 test-relay")
            elif verb == "MAIL":
                envelope["from"] = line.strip()[10:]
                reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(line.strip()[8:])
                reply("250 OK")
            elif verb == "DATA":
                reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline().decode()) != ".\r\n":
                    lines.append(data)
                envelope["data"] = "".join(lines)
                self.server.messages.append(envelope)
                reply("250 queued")
            elif verb == "QUIT":
                reply("221 bye")
                return
            else:
                reply("502 not implemented")


@pytest.fixture
def smtp_relay():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSession)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", server.messages
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory):
    """Run the real nightly job on a broken delivery, once for this module; yields (instance, result)."""
    from pipelines.definitions import defs
    from tests.conftest import TEST_KEY

    data = tmp_path_factory.mktemp("failed_run") / "data"
    folder = data / "raw" / "manual" / "2023-05-15"
    folder.mkdir(parents=True)
    for name in ("manual_measures.csv", "manual_measures_v2.csv"):  # both match manual_measures*.csv
        (folder / name).write_text(MANUAL_MEASURES_HEADER, encoding="utf-8")
    with pytest.MonkeyPatch.context() as env, dg.instance_for_test() as instance:
        env.setenv("OUTCOMES_PSEUDONYMISATION_KEY", TEST_KEY)
        # The whole nightly job: the other sources have nothing to ingest, and everything
        # downstream of the failed ingest is skipped, so the run fails in seconds.
        result = defs.resolve_job_def("nightly").execute_in_process(
            instance=instance,
            resources={"warehouse": WarehouseResource(data_dir=str(data))},
            raise_on_error=False,
        )
        assert not result.success
        yield instance, result


def _evaluate(instance, result, settings) -> None:
    """Evaluate the real run-failure sensor on the failed run, as the daemon would."""
    context = dg.build_run_status_sensor_context(
        sensor_name="record_run_failure",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"warehouse": WarehouseResource(data_dir=str(settings.data_dir))},
    ).for_run_failure()
    record_run_failure(context)


def _record(settings) -> dict:
    records = list((settings.work_dir / "failures").glob("*.json"))
    assert len(records) == 1, records
    return json.loads(records[0].read_text(encoding="utf-8"))


def test_failure_record_and_both_alerts(failed_run, settings, webhook, smtp_relay, monkeypatch):
    instance, result = failed_run
    url, posted = webhook
    relay, mails = smtp_relay
    monkeypatch.setenv("OUTCOMES_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("OUTCOMES_ALERT_SMTP_HOST", relay)
    monkeypatch.setenv("OUTCOMES_ALERT_SMTP_TO", "duty-engineer@example.org, data-team@example.org")
    monkeypatch.setenv("OUTCOMES_ALERT_SMTP_FROM", "warehouse@example.org")

    _evaluate(instance, result, settings)

    record = _record(settings)
    assert record["run_id"] == result.run_id
    assert record["job"] == "nightly"
    assert record["status"] == "FAILURE"
    [step] = record["failed_steps"]
    assert step["step"] == "ingest_manual"
    # The ingest's own words, not Dagster's wrapper: which table, which files, what to do.
    assert "2 files match the pattern 'manual_measures*.csv'" in step["message"]
    assert "manual_measures_v2.csv" in step["message"]
    assert record["summary"].startswith("1 step(s) failed: ingest_manual:")
    assert record["run_url"].endswith(f"/runs/{result.run_id}")
    assert record["failed_at"] >= record["started_at"]
    assert record["notifications"] == {"webhook": "sent (HTTP 200)", "email": "sent to duty-engineer@example.org, data-team@example.org"}

    # The webhook got the same record as JSON.
    assert len(posted) == 1
    assert posted[0]["content_type"] == "application/json"
    assert posted[0]["json"]["run_id"] == result.run_id
    assert posted[0]["json"]["failed_steps"] == record["failed_steps"]

    # One e-mail, to both addresses, saying what failed and where to look.
    assert len(mails) == 1
    assert mails[0]["from"] == "<warehouse@example.org>"
    assert mails[0]["to"] == ["<duty-engineer@example.org>", "<data-team@example.org>"]
    mail = email.message_from_string(mails[0]["data"], policy=email.policy.default)
    assert mail["Subject"].startswith("[outcomes warehouse] nightly run failed: 1 step(s) failed: ingest_manual: 1 manual table(s)")
    body = mail.get_content()
    assert "manual_measures_v2.csv" in body
    assert record["run_url"] in body


def test_alerts_are_off_by_default(failed_run, settings, webhook, monkeypatch):
    instance, result = failed_run
    _url, posted = webhook
    for name in ("OUTCOMES_ALERT_WEBHOOK_URL", "OUTCOMES_ALERT_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)

    _evaluate(instance, result, settings)

    record = _record(settings)
    assert record["failed_steps"][0]["step"] == "ingest_manual"
    assert record["notifications"] == {}
    assert posted == []


def test_a_broken_hook_never_loses_the_record(failed_run, settings, monkeypatch):
    instance, result = failed_run
    # A port nobody listens on: bind, note the port, close.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OUTCOMES_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/alerts")
    monkeypatch.setenv("OUTCOMES_ALERT_SMTP_HOST", f"127.0.0.1:{port}")
    monkeypatch.setenv("OUTCOMES_ALERT_SMTP_TO", "duty-engineer@example.org")
    monkeypatch.setenv("OUTCOMES_ALERT_SMTP_FROM", "warehouse@example.org")

    _evaluate(instance, result, settings)

    record = _record(settings)
    assert record["run_id"] == result.run_id
    assert record["notifications"]["webhook"].startswith("failed: URLError")
    assert record["notifications"]["email"].startswith("failed: ConnectionRefusedError")
