"""`kiosk sync webhook` against a local receiver that fails, throttles, drops connections and
outlives a sender killed mid-run: every record applied exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import crm_show as show
import pytest

from conftest import BOTH_DATABASES, ROOT, show_args
from kiosk.crm.webhook import SyncError, Webhook, sign, sync_webhook

SECRET = "s3cret-for-tests"


class Receiver:
    """A CRM endpoint: checks signatures, applies each idempotency key once, misbehaves on cue."""

    def __init__(self, script=()):
        self.script = list(script)
        self.applied: dict[str, dict] = {}
        self.deliveries: Counter = Counter()
        self.requests: list[float] = []
        self.bad_signatures = 0
        self.hold_keys: int | None = None
        self.hit, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append(time.monotonic())
                    action = receiver.script.pop(0) if receiver.script else "ok"
                if action == "drop":
                    self.close_connection = True
                    return
                if action in ("500", "429"):
                    self.send_response(int(action))
                    if action == "429":
                        self.send_header("Retry-After", "1")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                timestamp = self.headers["X-Kiosk-Timestamp"]
                if self.headers["X-Kiosk-Signature"] != sign(SECRET, timestamp, body):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                batch = json.loads(body)
                with receiver.lock:
                    for item in batch["records"]:
                        receiver.deliveries[item["idempotency_key"]] += 1
                        receiver.applied.setdefault(item["idempotency_key"], item["record"])
                    hold = receiver.hold_keys is not None and not receiver.hit.is_set()
                    hold = hold and len(receiver.deliveries) >= receiver.hold_keys
                if hold:
                    receiver.hit.set()
                    receiver.release.wait(20)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # the sender was killed on purpose

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def people(self) -> Counter:
        """How many distinct records were applied per person."""
        return Counter(record["id"] for record in self.applied.values())


def people(make, n):
    return [make.attendee()[0] for _ in range(n)]


@BOTH_DATABASES
def test_failures_throttling_and_drops_are_retried_and_nothing_is_sent_twice(svc, make):
    ids = people(make, 23)
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        time.sleep(seconds)

    told = []
    with Receiver(["500", "429", "drop"]) as receiver:
        hook = Webhook(receiver.url, SECRET, backoff=0.01, sleep=sleep, on_retry=told.append)
        report = sync_webhook(svc.store, svc.settings, hook, batch_size=5)
        assert (report.sent, report.batches, report.retries) == (23, 5, 3)
        # The operator sees each retry and why, not a silent wait.
        assert told[:2] == [
            f"HTTP 500; retry 1 of 8 in {waits[0]:.1f} s",
            "HTTP 429; retry 2 of 8 in 1.0 s",
        ]
        assert told[2].startswith("ConnectionError; retry 3 of 8")
        assert 1.0 in waits  # Retry-After: 1 honoured
        assert receiver.bad_signatures == 0
        assert set(receiver.people()) == set(ids)
        assert set(receiver.deliveries.values()) == {1}

        again = sync_webhook(svc.store, svc.settings, Webhook(receiver.url, SECRET), batch_size=5)
        assert (again.sent, again.unchanged) == (0, 23)

        with svc.store.write() as conn:
            show.check_in(conn, ids[4], "2026-11-24T01:30:00.000Z")
        third = sync_webhook(svc.store, svc.settings, Webhook(receiver.url, SECRET), batch_size=5)
        assert (third.sent, third.unchanged) == (1, 22)
        changed = [r for r in receiver.applied.values() if r["id"] == ids[4]]
        assert [r["metrics"]["attended"] for r in changed] == [False, True]


@BOTH_DATABASES
def test_a_refusal_stops_the_sync_and_keeps_what_was_sent(svc, make):
    people(make, 6)
    with Receiver() as receiver:
        hook = Webhook(receiver.url, "wrong-secret", max_retries=1, backoff=0.01)
        with pytest.raises(SyncError, match="answered 401"):
            sync_webhook(svc.store, svc.settings, hook, batch_size=3)
        assert len(receiver.requests) == 1  # a refusal is not retried
    assert svc.store.one("SELECT count(*) AS n FROM crm_sync_sent")["n"] == 0


def test_killed_mid_run_resumes_and_every_record_lands_exactly_once(svc, make, settings, runner):
    ids = people(make, 40)
    with Receiver() as receiver:
        receiver.hold_keys = 15  # hold the answer to the third batch of five
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_WEBHOOK_SECRET": SECRET}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "sync",
                "webhook",
                "--url",
                receiver.url,
                "--batch-size",
                "5",
                *show_args(settings),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert receiver.hit.wait(60), "the sender never reached the third batch"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        receiver.release.set()
        ledger = svc.store.one("SELECT count(*) AS n FROM crm_sync_sent")["n"]
        assert ledger == 10  # two batches acknowledged; the third was applied but never answered

        receiver.hold_keys = None
        os.environ["KIOSK_WEBHOOK_SECRET"] = SECRET
        try:
            result = runner.invoke("sync", "webhook", "--url", receiver.url, "--batch-size", "5")
        finally:
            del os.environ["KIOSK_WEBHOOK_SECRET"]
        assert result.exit_code == 0, result.output
        assert "30 records sent in 6 batches, 10 unchanged" in result.output

    assert receiver.people() == Counter({pid: 1 for pid in ids})  # each person applied once
    assert sum(receiver.deliveries.values()) == 45  # only the unanswered batch came twice
    assert sorted(k for k, n in receiver.deliveries.items() if n == 2) == sorted(
        k for k, r in receiver.applied.items() if r["id"] in ids[10:15]
    )


def test_retry_after_in_seconds_or_as_an_http_date():
    from email.utils import formatdate

    from kiosk.crm.webhook import retry_after

    assert retry_after("120") == 120.0
    assert 25 <= retry_after(formatdate(time.time() + 30, usegmt=True)) <= 30
    assert retry_after(formatdate(time.time() - 30, usegmt=True)) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_ctrl_c_stops_cleanly_and_the_next_run_carries_on(svc, make, settings, runner):
    ids = people(make, 12)
    with Receiver() as receiver:
        receiver.hold_keys = 8  # hold the answer to the second batch of four
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_WEBHOOK_SECRET": SECRET}
        argv = [
            sys.executable,
            "-m",
            "kiosk",
            "sync",
            "webhook",
            "--url",
            receiver.url,
            "--batch-size",
            "4",
            *show_args(settings),
        ]
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        assert receiver.hit.wait(60)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
        receiver.release.set()
        assert proc.returncode == 130 and err.strip() == "kiosk: aborted"
        receiver.hold_keys = None
        resumed = subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert "8 records sent in 2 batches, 4 unchanged" in resumed.stdout
    assert receiver.people() == Counter({pid: 1 for pid in ids})


@BOTH_DATABASES
def test_an_erased_person_gets_one_delete_event_and_no_record(svc, make):
    from kiosk.crm.erase import erase

    ids = people(make, 4)
    with Receiver() as receiver:
        sync_webhook(svc.store, svc.settings, Webhook(receiver.url, SECRET), batch_size=10)
        erase(svc.store, svc.keys, ids[1], actor="cli:test")
        report = sync_webhook(svc.store, svc.settings, Webhook(receiver.url, SECRET))
        assert (report.sent, report.deleted, report.unchanged) == (1, 1, 3)
        assert "1 records sent (1 delete events)" in report.line()
        event = receiver.applied[f"{svc.settings.event_id}:{ids[1]}:deleted"]
        assert event["id"] == ids[1] and event["event"] == svc.settings.event_id
        assert set(event) == {"id", "event", "erased_at", "crm_id", "remote_ids"}
        again = sync_webhook(svc.store, svc.settings, Webhook(receiver.url, SECRET))
        assert (again.sent, again.unchanged) == (0, 4)
    assert [r["id"] for r in receiver.applied.values()].count(ids[1]) == 2  # upsert, delete
