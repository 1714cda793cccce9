"""Citizen mail end to end: the built `loket serve --smtp` delivers to a real SMTP server
(aiosmtpd, tests/smtp_sink.py) on a free port. Each message is read back with Python's `email`
package and its calendar file with the `icalendar` package, as a citizen's mail program would.

Covers: the confirmation in four languages with diacritics intact, move (same UID, higher
SEQUENCE) and cancel (METHOD:CANCEL), a mail server that is down at booking time and comes up
later, a 550 that ends as failed for the admin, `kill -9` right after a 201, and a header
injection attempt.
"""
from __future__ import annotations

import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import policy
from pathlib import Path

from datetime import datetime

import icalendar
import pytest
import requests

from conftest import CONFIG, LOG_LEVEL, LOKET, PAGES, ROOT, make_token, register_log, remember_exchange

SINK = ROOT / "tests" / "smtp_sink.py"
CLOCK = "2026-12-01T07:00:00+01:00"   # a Tuesday; lead time 120 min at the town hall
SERVICE = "eid-aanvraag"
LOCATION = "stadhuis"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """tests/smtp_sink.py in a folder of its own."""

    def __init__(self, folder: Path, *args: str, port: int = 0):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(SINK), "--dir", str(folder), *args]
        if port:
            cmd += ["--port", str(port)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), f"smtp_sink did not start: {line!r} {self.proc.stderr.read()[:2000]}"
        self.port = int(line.split()[1])

    def messages(self) -> list[email.message.EmailMessage]:
        files = sorted(self.folder.glob("*.eml"), key=lambda p: int(p.stem))
        return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]

    def wait_for(self, count: int, timeout: float = 20) -> list[email.message.EmailMessage]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.messages()
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"expected {count} messages, got {len(self.messages())}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Server:
    """`loket serve --smtp ...` on a free port; its URL from the listening line."""

    def __init__(self, db: Path, smtp_port: int, log: Path):
        self.db = db
        self.log = open(log, "ab")
        register_log(log)   # grepped for every secret at the end of the session (conftest)
        self.proc = subprocess.Popen(
            [str(LOKET), "serve", "--port", "0", "--db", str(db), "--clock", CLOCK, "--no-rate-limits",
             "--config", str(CONFIG), "--pages", str(PAGES), "--smtp", f"smtp://127.0.0.1:{smtp_port}",
             "--public-url", "https://loket.wilgendaal.test", "--log-level", LOG_LEVEL],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True, start_new_session=True)
        line = self.proc.stdout.readline()
        assert "loket listening on" in line, line
        self.url = line.split("loket listening on ")[1].strip()
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def api(self, method: str, path: str, **kw) -> requests.Response:
        token = kw.pop("token", None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        res = requests.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=15, **kw)
        if "json" in res.headers.get("Content-Type", ""):
            remember_exchange(kw.get("json"), res.json())
        return res

    def book(self, start: str, *, name="Zoë Peeters", email_address="zoe@example.be", lang="nl", expect=201) -> dict:
        r = self.api("POST", "/appointments", json={"service": SERVICE, "location": LOCATION, "start": start, "name": name,
                                                    "email": email_address, "lang": lang})
        assert r.status_code == expect, r.text
        return r.json()

    def slots(self, day="2026-12-02") -> list[str]:
        r = self.api("GET", f"/availability?service={SERVICE}&location={LOCATION}&from={day}&to={day}")
        assert r.status_code == 200, r.text
        return [s["start"] for s in r.json()["slots"]]

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(15)
        self.log.close()


@pytest.fixture
def place(tmp_path):
    made = []

    def start(*sink_args, sink_port=0, smtp_port=None):
        sink = Sink(tmp_path / f"mail{len(made)}", *sink_args, port=sink_port) if smtp_port is None else None
        server = Server(tmp_path / "loket.sqlite", smtp_port or sink.port, tmp_path / "loket.log")
        made.extend([x for x in (sink, server) if x])
        return sink, server

    yield start
    for x in reversed(made):
        x.stop()


def parts(msg):
    return {p.get_content_type(): p for p in msg.walk() if not p.is_multipart()}


def calendar_of(msg) -> icalendar.Calendar:
    for p in msg.walk():
        if p.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(p.get_payload(decode=True))
    raise AssertionError("no text/calendar part")


def test_confirmation_move_and_cancel_arrive_with_their_calendar(place):
    sink, server = place()
    slots = server.slots()
    booked = server.book(slots[0], name="Zoë Lefèvre", lang="fr")
    [confirmation] = sink.wait_for(1)
    assert confirmation["To"].addresses[0].addr_spec == "zoe@example.be"
    assert confirmation["From"].addresses[0].addr_spec == "loket@wilgendaal.be"
    assert confirmation["Reply-To"].addresses[0].addr_spec == "burgerzaken@wilgendaal.be"
    assert confirmation["Message-ID"] and confirmation["Date"]
    assert confirmation["Content-Language"] == "fr"
    found = parts(confirmation)
    assert {"text/plain", "text/html", "text/calendar"} <= set(found), set(found)
    text = found["text/plain"].get_content()
    assert booked["reference"] in text and "Zoë Lefèvre" in text
    manage = f"https://loket.wilgendaal.test/book?ref={booked['reference']}&token={booked['manageToken']}"
    assert manage in text, text
    html = found["text/html"].get_content()
    assert 'lang="fr"' in html and booked["reference"] in html
    event = calendar_of(confirmation).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{booked['reference']}@loket"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == datetime.fromisoformat(slots[0])

    token = booked["manageToken"]
    r = server.api("POST", f"/appointments/{booked['reference']}/reschedule?token={token}", json={"start": slots[2]})
    assert r.status_code == 200, r.text
    moved = sink.wait_for(2)[1]
    moved_event = calendar_of(moved).walk("VEVENT")[0]
    assert str(moved_event["UID"]) == str(event["UID"])
    assert int(moved_event["SEQUENCE"]) == 1
    assert moved_event.decoded("DTSTART") == datetime.fromisoformat(slots[2])

    assert server.api("DELETE", f"/appointments/{booked['reference']}?token={token}").status_code == 200
    cancelled = sink.wait_for(3)[2]
    cal = calendar_of(cancelled)
    assert str(cal["METHOD"]) == "CANCEL"
    assert int(cal.walk("VEVENT")[0]["SEQUENCE"]) == 2
    assert str(cal.walk("VEVENT")[0]["UID"]) == str(event["UID"])
    assert len({m["Message-ID"] for m in sink.messages()}) == 3


@pytest.mark.parametrize("lang", ["nl", "fr", "en", "de"])
def test_every_language_and_its_letters_arrive_intact(place, lang):
    sink, server = place()
    booked = server.book(server.slots()[1], name="Zoë Çelik-Ñúñez", lang=lang)
    [msg] = sink.wait_for(1)
    subject = msg["Subject"]
    assert subject and subject.isprintable(), subject
    assert msg["Content-Language"] == lang
    text = parts(msg)["text/plain"].get_content()
    assert "Zoë Çelik-Ñúñez" in text and booked["reference"] in text
    assert f"lang={lang}" in text


def test_mail_waits_for_a_mail_server_that_is_down_and_goes_out_once_it_is_up(place, tmp_path):
    port = free_port()
    _, server = place(smtp_port=port)
    booked = server.book(server.slots()[0])
    time.sleep(1.5)   # the first attempt fails: nobody listens
    sink = Sink(tmp_path / "late", port=port)
    try:
        [msg] = sink.wait_for(1, timeout=45)   # the retry after the first pause (15 s)
        assert booked["reference"] in parts(msg)["text/plain"].get_content()
        time.sleep(2)
        assert len(sink.messages()) == 1, "sent once"
    finally:
        sink.stop()


def test_a_refused_address_ends_as_failed_for_the_admin(place):
    sink, server = place("--reject-rcpt", "550")
    booked = server.book(server.slots()[0], email_address="nobody@example.be")
    admin = make_token(server.db, "admin", "admin-mail")
    deadline = time.time() + 20
    failed = []
    while time.time() < deadline and not failed:
        failed = server.api("GET", "/admin/outbox?status=failed", token=admin).json()
        time.sleep(0.3)
    assert [f["reference"] for f in failed] == [booked["reference"]]
    assert "550" in failed[0]["lastError"]
    assert "nobody@example.be" not in json.dumps(failed)
    assert sink.messages() == []


def test_kill_9_right_after_the_booking_still_delivers_after_a_restart(tmp_path):
    db = tmp_path / "loket.sqlite"
    blocked = free_port()   # nothing listens yet: the mail cannot leave before the kill
    server = Server(db, blocked, tmp_path / "a.log")
    try:
        booked = server.book(server.slots()[0])
    finally:
        server.stop(signal.SIGKILL)
    sink = Sink(tmp_path / "mail")
    again = Server(db, sink.port, tmp_path / "b.log")
    try:
        [msg] = sink.wait_for(1)
        assert booked["reference"] in parts(msg)["text/plain"].get_content()
    finally:
        again.stop()
        sink.stop()


def test_a_header_injection_attempt_is_refused_and_sends_nothing(place):
    sink, server = place()
    for name, address in [("Zoë\r\nBcc: victim@example.be", "zoe@example.be"),
                          ("Zoë", "zoe@example.be\r\nBcc: victim@example.be")]:
        r = server.api("POST", "/appointments", json={"service": SERVICE, "location": LOCATION, "start": server.slots()[0],
                                                      "name": name, "email": address})
        assert r.status_code == 422, r.text
    time.sleep(1)
    assert sink.messages() == []
