#!/usr/bin/env python3
"""Loket soak: a realistic mixed load against one live `loket serve`, then the checks of issue 13.

Run alone (`make soak` builds the release binary and runs this for SOAK_MINUTES, default 30):

    SOAK_MINUTES=30 .venv/bin/python tests/soak.py --binary .build/release/loket

`tests/test_soak.py` runs the same driver for 3 minutes against the debug binary inside `make test`.

What runs, against a temp database with the demo config and the clock pinned to Tuesday
2026-12-01 08:35 (it runs on at real speed; the town hall's walk-in closes at 12:00, so a soak may
last up to 200 minutes):
- before the soak, a server at 06:30 books the appointments that fall due during the soak;
- kiosks issue walk-in tickets and check those appointments in once their window opens;
- one clerk per town-hall counter opens it and calls next, recalls, starts, finishes or marks no-show,
  and reads the queue and the counters;
- SOAK_DISPLAYS (default 200) display streams (`/locations/{id}/events`), all read by one thread
  with a selector;
- citizens search services, read availability, book, read, reschedule and cancel, fetch the
  calendar file, and follow tickets (`GET /api/v1/tickets/{id}`, the `/t/{id}` page);
- a sampler reads the server's RSS, thread count (`/proc/PID/status`) and open descriptors
  (`/proc/PID/fd`) every second.

Then it checks: no 5xx and no failed connection; every acknowledged write readable with the state
its last acknowledged change left (tickets, appointments; cancels cancelled); nobody called twice by
call-next, nobody lost, numbers unique per location and day; every display stream saw every call;
RSS, descriptors and threads flat after warm-up; and the server's log (at `--log-level trace`, the
most verbose) holds none of the tokens, manage tokens, names and e-mail addresses the soak used.

Flatness: the first 20% of the run is warm-up. The warm-up level of a figure is the median of its
samples in the last tenth of the warm-up (one sample is noise: a request in flight holds a
descriptor, a malloc arena grows and shrinks). After warm-up, the steady level is the largest
rolling median over the same window length (a sustained level, not a single spike), and must stay
within `--tolerance` (10% by default) of the warm-up level; descriptors and threads also get an
absolute slack of 2 (ten descriptors are "10%" of nothing; a request being answered as the sample
is taken holds one). The raw maxima are printed too.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import selectors
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from loketproc import ServeProcess, leaks_in_logs, token_add

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
PAGES = ROOT / "kiosk"

TZ = timezone(timedelta(hours=1))                     # Brussels in December
DAY = "2026-12-01"                                    # a Tuesday
BOOKING_CLOCK = datetime(2026, 12, 1, 6, 30, tzinfo=TZ)
SOAK_CLOCK = datetime(2026, 12, 1, 8, 35, tzinfo=TZ)  # walk-in at the town hall 08:30-12:00
WALKIN_CLOSES = datetime(2026, 12, 1, 12, 0, tzinfo=TZ)
LOCATION = "stadhuis"
COUNTERS = ["stadhuis-onthaal", "stadhuis-1", "stadhuis-2", "stadhuis-3", "stadhuis-4", "stadhuis-5", "stadhuis-6"]
SEARCHES = ["identiteit", "paspoort", "rijbewijs", "adres", "huwelijk", "geboorte", "afval", "parkeer", "bouw",
            "attest", "eid", "kids", "uittreksel", "premie", "sport", "school", "leefloon", "reispas", "Ident", "ÉID"]
FIRST = ["Zoë", "Jérôme", "Anaïs", "Lieselot", "Mohamed", "Sofie", "Björn", "Inès", "Wout", "Fatma", "Ruben", "Noëlle"]
LAST = ["Peeters", "Dubois", "Janssens", "El Amrani", "Maes", "Van den Broeck", "Lefèvre", "Wouters", "Öztürk"]
TICKET_END = {"waiting", "called", "serving", "done", "no-show"}


def event_tag(ticket_id: str) -> str:
    """What the public event stream calls a ticket: the first 9 bytes of its id's SHA-256, base64url."""
    return base64.urlsafe_b64encode(hashlib.sha256(ticket_id.encode()).digest()[:9]).decode()


# --------------------------------------------------------------------------------- the record


@dataclass
class Ticket:
    id: str
    number: str
    location: str
    origin: str
    status: str = "waiting"        # what the last acknowledged change left
    counter: str | None = None
    early: bool = False            # first seen in a call-next answer, before the kiosk thread recorded its 201


@dataclass
class Booking:
    reference: str
    token: str
    name: str
    email: str
    start: str
    service: str
    location: str
    status: str = "booked"


@dataclass
class Ledger:
    """Everything the server acknowledged, and every secret the soak used."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    bookings: dict[str, Booking] = field(default_factory=dict)
    due: list[Booking] = field(default_factory=list)        # pre-booked, to check in during the soak
    called_by_next: list[tuple[str, str]] = field(default_factory=list)   # (ticket id, counter)
    secrets: dict[str, str] = field(default_factory=dict)   # secret -> what it is
    findings: list[str] = field(default_factory=list)

    def secret(self, value: str, what: str):
        if value:
            with self.lock:
                self.secrets[value] = what
                # A name may reach a log JSON-escaped (ë as \u00eb).
                escaped = json.dumps(value)[1:-1]
                if escaped != value:
                    self.secrets[escaped] = what + " (JSON-escaped)"

    def finding(self, text: str):
        with self.lock:
            if len(self.findings) < 500:
                self.findings.append(text)


class Stats:
    """Requests by kind: statuses and latencies."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.server_errors: list[str] = []
        self.transport_errors: list[str] = []

    def record(self, kind: str, status: int, seconds: float):
        with self.lock:
            self.latency[kind].append(seconds)
            self.statuses[kind][status] += 1

    def total(self) -> int:
        return sum(sum(c.values()) for c in self.statuses.values())


class Client:
    """One requests.Session (a device or a person), recording every answer in Stats."""

    def __init__(self, base: str, stats: Stats, ledger: Ledger, token: str | None = None):
        self.base = base
        self.stats = stats
        self.ledger = ledger
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, kind: str, method: str, path: str, *, ok=(200,), **kw) -> requests.Response | None:
        url = f"{self.base}{path}"
        started = time.monotonic()
        try:
            res = self.session.request(method, url, timeout=30, **kw)
        except requests.RequestException as e:
            with self.stats.lock:
                self.stats.transport_errors.append(f"{kind}: {method} {path.split('?')[0]}: {type(e).__name__}: {e}"[:300])
            return None
        self.stats.record(kind, res.status_code, time.monotonic() - started)
        if res.status_code >= 500:
            with self.stats.lock:
                self.stats.server_errors.append(f"{kind}: {method} {path.split('?')[0]} -> {res.status_code} {res.text[:200]}")
        elif res.status_code not in ok:
            self.ledger.finding(f"{kind}: {method} {path.split('?')[0]} -> {res.status_code} {res.text[:200]}")
        return res


# --------------------------------------------------------------------------------- the server


class Server(ServeProcess):
    """The soak's `loket serve`, with its mail written to a folder and the clock pinned at `clock`."""

    def __init__(self, binary: Path, db: Path, clock: datetime, log: Path, mail: Path, log_level: str):
        super().__init__(
            [str(binary), "serve", "--port", "0", "--host", "127.0.0.1", "--db", str(db), "--config", str(CONFIG),
             "--pages", str(PAGES), "--clock", clock.isoformat(), "--no-rate-limits", "--log-level", log_level,
             "--mail-dir", str(mail)],
            log=log, cwd=ROOT, wait=60)
        self.started = time.monotonic()
        self.clock = clock
        self.addr = self.address

    def now(self) -> datetime:
        """The server's clock: pinned at start, running on at real speed."""
        return self.clock + timedelta(seconds=time.monotonic() - self.started)

    def stop(self) -> int | None:
        return super().stop(grace=15)


def make_token(binary: Path, db: Path, role: str, name: str) -> str:
    return token_add(binary, db, CONFIG, role, name, cwd=ROOT)


# --------------------------------------------------------------------------------- the displays


class Displays(threading.Thread):
    """`count` SSE streams on one thread: raw sockets, chunked decoding, events parsed as they come."""

    def __init__(self, addr: tuple[str, int], location: str, count: int):
        super().__init__(daemon=True)
        self.addr = addr
        self.path = f"/api/v1/locations/{location}/events"
        self.count = count
        self.sel = selectors.DefaultSelector()
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.streams: list[dict] = []
        self.errors: list[str] = []

    def open_all(self):
        for i in range(self.count):
            s = socket.create_connection(self.addr, timeout=10)
            s.sendall(f"GET {self.path} HTTP/1.1\r\nHost: soak\r\nAccept: text/event-stream\r\n\r\n".encode())
            s.setblocking(False)
            st = {"i": i, "sock": s, "raw": b"", "headers": None, "body": b"", "events": Counter(), "called": set(),
                  "closed": False, "last_id": 0, "bad_ids": 0}
            self.streams.append(st)
            self.sel.register(s, selectors.EVENT_READ, st)

    def run(self):
        while not self.stop_flag.is_set():
            for key, _ in self.sel.select(0.5):
                st = key.data
                try:
                    data = st["sock"].recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as e:
                    data = b""
                    self.errors.append(f"stream {st['i']}: {e}")
                if not data:
                    with self.lock:
                        st["closed"] = True
                    self.sel.unregister(st["sock"])
                    st["sock"].close()
                    continue
                self.feed(st, data)

    def feed(self, st: dict, data: bytes):
        st["raw"] += data
        if st["headers"] is None:
            head, sep, rest = st["raw"].partition(b"\r\n\r\n")
            if not sep:
                return
            st["headers"] = head.decode("latin-1")
            if " 200 " not in st["headers"].split("\r\n")[0]:
                self.errors.append(f"stream {st['i']}: {st['headers'].splitlines()[0]}")
            st["raw"] = rest
        # Chunked transfer coding: size line, data, CRLF.
        while True:
            line, sep, rest = st["raw"].partition(b"\r\n")
            if not sep:
                break
            size = int(line.split(b";")[0] or b"0", 16)
            if len(rest) < size + 2:
                break
            st["body"] += rest[:size]
            st["raw"] = rest[size + 2:]
        while b"\n\n" in st["body"]:
            block, _, st["body"] = st["body"].partition(b"\n\n")
            self.event(st, block.decode("utf-8", "replace"))

    def event(self, st: dict, block: str):
        name, data, eid = "message", [], None
        for line in block.split("\n"):
            if line.startswith(":"):
                name = "heartbeat"
                continue
            k, _, v = line.partition(":")
            v = v[1:] if v.startswith(" ") else v
            if k == "event":
                name = v
            elif k == "data":
                data.append(v)
            elif k == "id":
                eid = int(v)
            elif k == "retry":
                name = "retry"
        with self.lock:
            st["events"][name] += 1
            if eid is not None:
                if eid <= st["last_id"]:
                    st["bad_ids"] += 1
                st["last_id"] = eid
            if name == "called" and data:
                try:
                    st["called"].add(json.loads("\n".join(data))["ticket"])
                except (ValueError, KeyError):
                    self.errors.append(f"stream {st['i']}: unreadable called event {data!r}"[:200])

    def close(self):
        self.stop_flag.set()
        self.join(5)
        for st in self.streams:
            if not st["closed"]:
                try:
                    st["sock"].close()
                except OSError:
                    pass


# --------------------------------------------------------------------------------- the sampler


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 1.0):
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.samples: list[tuple[float, int, int, int]] = []   # (t, rss kB, threads, fds)
        self.stop_flag = threading.Event()

    def sample(self):
        rss = threads = 0
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{self.pid}/fd"))
        self.samples.append((time.monotonic(), rss, threads, fds))

    def run(self):
        while not self.stop_flag.wait(self.every):
            try:
                self.sample()
            except OSError:
                return


def flatness(samples: list[tuple[float, int, int, int]], t0: float, t1: float, tolerance: float) -> dict:
    """Per figure: warm-up level, steady level (largest rolling median after warm-up), raw max, verdict."""
    warm_end = t0 + 0.2 * (t1 - t0)
    window = max(3, int(0.02 * (t1 - t0)))          # samples are 1 s apart: ~2% of the run, at least 3
    warm = [s for s in samples if t0 <= s[0] <= warm_end]
    after = [s for s in samples if s[0] > warm_end]
    out = {}
    for idx, name, slack in ((1, "rss_kb", 0), (2, "threads", 2), (3, "fds", 2)):
        w = [s[idx] for s in warm[-window:]] or [samples[0][idx]]
        level = statistics.median(w)
        vals = [s[idx] for s in after]
        rolling = [statistics.median(vals[i:i + window]) for i in range(0, max(1, len(vals) - window + 1))] if vals else [level]
        steady = max(rolling)
        limit = level * (1 + tolerance) + slack
        out[name] = {"warmup": level, "steady": steady, "max": max(vals) if vals else level,
                     "growth": (steady - level) / level if level else 0.0, "limit": limit, "ok": steady <= limit}
    return out


# --------------------------------------------------------------------------------- the people


def name_and_mail(rng: random.Random, n: int) -> tuple[str, str]:
    tag = f"{rng.getrandbits(32):08x}"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last} {tag}", f"{first.lower()}.{tag}@soak.example.be".encode("ascii", "ignore").decode()


def book(cli: Client, ledger: Ledger, rng: random.Random, service: str, location: str, day_from: str, day_to: str,
         n: int, *, pick=None) -> Booking | None:
    res = cli.call("availability", "GET",
                   f"/api/v1/availability?service={service}&location={location}&from={day_from}&to={day_to}")
    if res is None or res.status_code != 200:
        return None
    slots = [s for s in res.json()["slots"] if s.get("free", 1) > 0]
    if pick:
        slots = [s for s in slots if pick(s)]
    if not slots:
        return None
    slot = rng.choice(slots)
    name, email = name_and_mail(rng, n)
    ledger.secret(name, "citizen name")
    ledger.secret(email, "citizen e-mail")
    body = {"service": service, "location": location, "start": slot["start"], "persons": 1, "name": name,
            "email": email, "lang": rng.choice(["nl", "fr", "en", "de"])}
    res = cli.call("book", "POST", "/api/v1/appointments", json=body, ok=(201, 409))
    if res is None or res.status_code != 201:
        return None
    a = res.json()
    ledger.secret(a["manageToken"], "manage token")
    b = Booking(a["reference"], a["manageToken"], name, email, a["start"], service, location, a["status"])
    if a["status"] != "booked":
        ledger.finding(f"book: {a['reference']} answered status {a['status']}")
    with ledger.lock:
        ledger.bookings[b.reference] = b
    return b


def prebook(binary: Path, db: Path, work: Path, ledger: Ledger, stats: Stats, minutes: float, log_level: str) -> Path:
    """At 06:30, books the town-hall appointments that fall due while the soak runs (to be checked in)."""
    log = work / "serve-0630.log"
    srv = Server(binary, db, BOOKING_CLOCK, log, work / "mail", log_level)
    try:
        cli = Client(srv.url, stats, ledger)
        rng = random.Random(7)
        first = SOAK_CLOCK + timedelta(minutes=5)
        last = SOAK_CLOCK + timedelta(minutes=minutes + 20)
        want = min(60, max(6, int(minutes * 1.5)))
        for n in range(want * 2):
            if len(ledger.due) >= want:
                break
            service = rng.choice(["eid-aanvraag", "reispas-aanvraag", "kids-id-aanvraag"])
            b = book(cli, ledger, rng, service, LOCATION, DAY, DAY, n,
                     pick=lambda s: first.isoformat() <= s["start"] <= last.isoformat())
            if b:
                ledger.due.append(b)
    finally:
        srv.stop()
    return log


class Load:
    def __init__(self, srv: Server, ledger: Ledger, stats: Stats, deadline: float, tokens: dict[str, str],
                 walkin: list[str], bookable: list[tuple[str, str]]):
        self.srv = srv
        self.ledger = ledger
        self.stats = stats
        self.deadline = deadline
        self.tokens = tokens
        self.walkin = walkin
        self.bookable = bookable
        self.checked_in: set[str] = set()

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def pause(self, rng: random.Random, lo: float, hi: float):
        time.sleep(min(rng.uniform(lo, hi), max(0.0, self.deadline - time.monotonic())))

    def record_ticket(self, t: dict):
        with self.ledger.lock:
            known = self.ledger.tickets.get(t["id"])
            if known and known.early:
                known.early = False     # already called: keep what the clerk's answers say
            elif known:
                self.ledger.findings.append(f"ticket id {t['id']} issued twice")
            else:
                self.ledger.tickets[t["id"]] = Ticket(t["id"], t["number"], t["location"], t["origin"], t["status"])

    # -- a kiosk in the lobby
    def kiosk(self, seed: int):
        rng = random.Random(seed)
        cli = Client(self.srv.url, self.stats, self.ledger, self.tokens["kiosk"])
        while self.running():
            now = self.srv.now()
            due = None
            with self.ledger.lock:
                for b in self.ledger.due if rng.random() < 0.5 else ():
                    start = datetime.fromisoformat(b.start)
                    if b.reference not in self.checked_in and start - timedelta(minutes=25) <= now <= start + timedelta(minutes=10) \
                            and b.status == "booked":
                        due = b
                        self.checked_in.add(b.reference)
                        break
            if due:
                res = cli.call("checkin", "POST", "/api/v1/checkins", json={"reference": due.reference}, ok=(201,))
                if res is not None and res.status_code == 201:
                    self.record_ticket(res.json())
                    with self.ledger.lock:
                        due.status = "checked-in"
                        self.ledger.tickets[res.json()["id"]].origin = "appointment:" + due.reference
            else:
                res = cli.call("ticket", "POST", "/api/v1/tickets",
                               json={"location": LOCATION, "service": rng.choice(self.walkin)}, ok=(201,))
                if res is not None and res.status_code == 201:
                    self.record_ticket(res.json())
            self.pause(rng, 0.6, 1.6)

    # -- a clerk at a counter
    def clerk(self, counter: str, seed: int):
        rng = random.Random(seed)
        cli = Client(self.srv.url, self.stats, self.ledger, self.tokens["clerk"])
        cli.call("counter", "POST", f"/api/v1/counters/{counter}/open")
        while self.running():
            if rng.random() < 0.15:
                cli.call("queue", "GET", f"/api/v1/locations/{LOCATION}/queue")
                cli.call("counters", "GET", f"/api/v1/locations/{LOCATION}/counters")
            res = cli.call("call-next", "POST", f"/api/v1/counters/{counter}/call-next", ok=(200, 204))
            if res is None or res.status_code != 200:
                self.pause(rng, 0.8, 2.0)
                continue
            t = res.json()
            with self.ledger.lock:
                self.ledger.called_by_next.append((t["id"], counter))
                known = self.ledger.tickets.get(t["id"])
                if known is None:
                    # Issued but its 201 not yet recorded by the kiosk thread: note it now.
                    known = self.ledger.tickets[t["id"]] = Ticket(t["id"], t["number"], t["location"], t["origin"], early=True)
                known.status, known.counter = "called", counter
            if t["status"] != "called" or t.get("counter") != counter:
                self.ledger.finding(f"call-next at {counter} gave {t['id']} in state {t['status']} at {t.get('counter')}")
            if not self.running():
                break
            self.pause(rng, 0.2, 0.8)
            if rng.random() < 0.1:
                self.act(cli, t["id"], "recall", "called")
                self.pause(rng, 0.2, 0.6)
            if rng.random() < 0.08:
                self.act(cli, t["id"], "no-show", "no-show")
                continue
            if not self.act(cli, t["id"], "start", "serving"):
                continue
            self.pause(rng, 0.5, 2.5)
            if self.running() or rng.random() < 0.5:
                self.act(cli, t["id"], "finish", "done")

    def act(self, cli: Client, ticket: str, action: str, status: str) -> bool:
        res = cli.call(action, "POST", f"/api/v1/tickets/{ticket}/{action}")
        if res is None or res.status_code != 200:
            return False
        with self.ledger.lock:
            self.ledger.tickets[ticket].status = status
        if res.json().get("status") != status:
            self.ledger.finding(f"{action} {ticket} answered status {res.json().get('status')}")
        return True

    # -- a citizen at home or on the phone
    def citizen(self, seed: int):
        rng = random.Random(seed)
        cli = Client(self.srv.url, self.stats, self.ledger)
        mine: list[Booking] = []
        n = 0
        while self.running():
            r = rng.random()
            n += 1
            if r < 0.15:
                cli.call("search", "GET", f"/api/v1/services?q={rng.choice(SEARCHES)}&lang={rng.choice(['nl', 'fr', 'en'])}")
            elif r < 0.27:
                service, location = rng.choice(self.bookable)
                day = datetime(2026, 12, 2) + timedelta(days=rng.randrange(0, 40))
                cli.call("availability", "GET", f"/api/v1/availability?service={service}&location={location}"
                         f"&from={day:%Y-%m-%d}&to={day + timedelta(days=6):%Y-%m-%d}")
            elif r < 0.45:
                service, location = rng.choice(self.bookable)
                day = datetime(2026, 12, 2) + timedelta(days=rng.randrange(0, 50))
                b = book(cli, self.ledger, rng, service, location, f"{day:%Y-%m-%d}", f"{day + timedelta(days=3):%Y-%m-%d}",
                         seed * 100000 + n)
                if b:
                    mine.append(b)
            elif r < 0.55 and mine:
                b = rng.choice(mine)
                res = cli.call("read-appointment", "GET", f"/api/v1/appointments/{b.reference}?token={b.token}")
                if res is not None and res.status_code == 200 and res.json()["status"] != b.status:
                    self.ledger.finding(f"{b.reference} reads {res.json()['status']}, expected {b.status}")
                if rng.random() < 0.3:
                    cli.call("calendar", "GET", f"/api/v1/appointments/{b.reference}/calendar.ics?token={b.token}")
            elif r < 0.63 and mine:
                b = rng.choice([x for x in mine if x.status == "booked"] or mine)
                if b.status != "booked":
                    continue
                day = b.start[:10]
                res = cli.call("availability", "GET", f"/api/v1/availability?service={b.service}"
                               f"&location={b.location}&from={day}&to={day}")
                if res is None or res.status_code != 200:
                    continue
                slots = [s for s in res.json()["slots"] if s["start"] != b.start and s.get("free", 1) > 0]
                if not slots:
                    continue
                new = rng.choice(slots)["start"]
                res = cli.call("reschedule", "POST", f"/api/v1/appointments/{b.reference}/reschedule?token={b.token}",
                               json={"start": new}, ok=(200, 409))
                if res is not None and res.status_code == 200:
                    b.start = res.json()["start"]
            elif r < 0.70 and mine:
                b = rng.choice(mine)
                if b.status != "booked":
                    continue
                res = cli.call("cancel", "DELETE", f"/api/v1/appointments/{b.reference}?token={b.token}")
                if res is not None and res.status_code == 200:
                    b.status = "cancelled"
                    if res.json()["status"] != "cancelled":
                        self.ledger.finding(f"cancel {b.reference} answered {res.json()['status']}")
            elif r < 0.92:
                with self.ledger.lock:
                    ids = list(self.ledger.tickets)[-200:]
                if ids:
                    tid = rng.choice(ids)
                    cli.call("ticket-status", "GET", f"/api/v1/tickets/{tid}")
                    if rng.random() < 0.1:
                        cli.call("ticket-page", "GET", f"/t/{tid}")
            else:
                cli.call("display", "GET", f"/api/v1/locations/{LOCATION}/display")
            self.pause(rng, 0.15, 0.5)


# --------------------------------------------------------------------------------- the checks


def verify(srv: Server, ledger: Ledger, stats: Stats, clerk_token: str) -> list[str]:
    """Reads every acknowledged write back; returns the problems found."""
    problems: list[str] = []
    cli = Client(srv.url, stats, ledger)
    # Nobody lost from the queue: what the clerks' queue shows waiting is exactly what the soak left waiting.
    res = Client(srv.url, stats, ledger, clerk_token).call("verify-queue", "GET", f"/api/v1/locations/{LOCATION}/queue")
    if res is None or res.status_code != 200:
        problems.append(f"the queue could not be read: {res and res.status_code}")
    else:
        shown = {t["id"] for t in res.json()["waiting"]}
        left = {t.id for t in ledger.tickets.values() if t.status == "waiting" and t.location == LOCATION}
        if shown != left:
            problems.append(f"the queue shows {len(shown)} waiting, the soak left {len(left)}: "
                            f"{len(left - shown)} missing, {len(shown - left)} unknown")
    seen_next = Counter(t for t, _ in ledger.called_by_next)
    twice = [t for t, n in seen_next.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} ticket(s) called twice by call-next: {twice[:5]}")
    numbers = Counter((t.location, t.number) for t in ledger.tickets.values())
    dup = [k for k, n in numbers.items() if n > 1]
    if dup:
        problems.append(f"ticket numbers not unique per location and day: {dup[:5]}")
    appt_of = {"waiting": "checked-in", "called": "called", "serving": "serving", "done": "done", "no-show": "no-show"}
    for t in list(ledger.tickets.values()):
        res = cli.call("verify-ticket", "GET", f"/api/v1/tickets/{t.id}")
        if res is None or res.status_code != 200:
            problems.append(f"ticket {t.number} ({t.id}) acknowledged but not readable: {res and res.status_code}")
            continue
        got = res.json()
        if got["status"] != t.status or got["status"] not in TICKET_END:
            problems.append(f"ticket {t.number} ({t.id}) is {got['status']}, its last acknowledged change left {t.status}")
        if t.status != "waiting" and got.get("counter") != t.counter:
            problems.append(f"ticket {t.number} at counter {got.get('counter')}, called to {t.counter}")
        if t.origin.startswith("appointment:"):
            ref = t.origin.split(":", 1)[1]
            b = ledger.bookings[ref]
            a = cli.call("verify-appointment", "GET", f"/api/v1/appointments/{ref}?token={b.token}")
            if a is not None and a.status_code == 200 and a.json()["status"] != appt_of.get(t.status):
                problems.append(f"appointment {ref} is {a.json()['status']}, its ticket {t.number} is {t.status}")
            b.status = "(checked in)"
    for b in list(ledger.bookings.values()):
        if b.status == "(checked in)":
            continue
        res = cli.call("verify-appointment", "GET", f"/api/v1/appointments/{b.reference}?token={b.token}")
        if res is None or res.status_code != 200:
            problems.append(f"appointment {b.reference} acknowledged but not readable: {res and res.status_code}")
            continue
        got = res.json()
        if got["status"] != b.status:
            problems.append(f"appointment {b.reference} is {got['status']}, expected {b.status}")
        if got["start"] != b.start:
            problems.append(f"appointment {b.reference} starts {got['start']}, its last acknowledged move says {b.start}")
    return problems


# --------------------------------------------------------------------------------- the run


@dataclass
class Result:
    minutes: float
    server_errors: list[str]
    transport_errors: list[str]
    lost: list[str]
    findings: list[str]
    displays: list[str]
    flat: dict
    leaks: list[str]
    secrets: int
    log_bytes: int
    exit_code: int | None
    summary: str

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.transport_errors or self.lost or self.displays or self.leaks
                    or self.findings or self.exit_code not in (0, None)) and all(f["ok"] for f in self.flat.values())


def pct(vals: list[float], p: float) -> float:
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(p * len(vals)))] if vals else 0.0


def run(minutes: float, binary: Path, *, displays: int = 200, tolerance: float = 0.10, citizens: int = 4,
        kiosks: int = 2, log_level: str = "trace", work: Path | None = None, out=sys.stdout) -> Result:
    if SOAK_CLOCK + timedelta(minutes=minutes + 5) > WALKIN_CLOSES:
        raise SystemExit(f"SOAK_MINUTES={minutes}: the soak starts at 08:35 and walk-in closes at 12:00 (at most 200)")
    work = work or Path(tempfile.mkdtemp(prefix="loket-soak."))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "soak.sqlite"
    ledger, stats = Ledger(), Stats()
    tokens = {"kiosk": make_token(binary, db, "kiosk", "soak-kiosk"), "clerk": make_token(binary, db, "clerk", "soak-clerk")}
    for role, tok in tokens.items():
        ledger.secret(tok, f"{role} token")
    print(f"soak: {minutes} min against {binary} (work dir {work})", file=out, flush=True)
    logs = [prebook(binary, db, work, ledger, stats, minutes, log_level)]
    print(f"soak: {len(ledger.due)} appointments booked to fall due during the soak", file=out, flush=True)

    log = work / "serve-soak.log"
    logs.append(log)
    srv = Server(binary, db, SOAK_CLOCK, log, work / "mail", log_level)
    sampler = Sampler(srv.proc.pid)
    try:
        catalogue = requests.get(f"{srv.url}/api/v1/services?location={LOCATION}", timeout=30).json()
        walkin = [s["id"] for s in catalogue if "walkin" in s["channels"]]
        bookable = [(s["id"], loc) for s in requests.get(f"{srv.url}/api/v1/services", timeout=30).json()
                    if "appointment" in s["channels"] for loc in s["locations"] if loc in (LOCATION, "deelgemeente-oost")]
        random.Random(3).shuffle(bookable)
        bookable = bookable[:40]
        screen = Displays(srv.addr, LOCATION, displays)
        screen.open_all()
        screen.start()
        sampler.sample()
        sampler.start()
        t0 = time.monotonic()
        deadline = t0 + minutes * 60
        load = Load(srv, ledger, stats, deadline, tokens, walkin, bookable)
        threads = [threading.Thread(target=load.kiosk, args=(100 + i,), daemon=True) for i in range(kiosks)]
        threads += [threading.Thread(target=load.clerk, args=(c, 200 + i), daemon=True) for i, c in enumerate(COUNTERS)]
        threads += [threading.Thread(target=load.citizen, args=(300 + i,), daemon=True) for i in range(citizens)]
        for th in threads:
            th.start()
        last_report = t0
        while time.monotonic() < deadline:
            time.sleep(min(5, max(0, deadline - time.monotonic())))
            if time.monotonic() - last_report >= 60:
                last_report = time.monotonic()
                s = sampler.samples[-1] if sampler.samples else (0, 0, 0, 0)
                print(f"soak: {(last_report - t0) / 60:.0f} min, {stats.total()} requests, {len(ledger.tickets)} tickets, "
                      f"{len(ledger.bookings)} appointments, RSS {s[1] / 1024:.1f} MiB, {s[2]} threads, {s[3]} fds",
                      file=out, flush=True)
        for th in threads:
            th.join(60)
        t1 = time.monotonic()
        sampler.stop_flag.set()
        sampler.join(5)
        # The displays' stream names tickets by their public tag, never by id (TicketTag.swift).
        calls = {event_tag(t) for t, _ in ledger.called_by_next}
        settle = time.monotonic() + 15   # the last calls reach the displays (at once, unless the machine is swamped)
        while time.monotonic() < settle:
            with screen.lock:
                if all(calls <= st["called"] or st["closed"] for st in screen.streams):
                    break
            time.sleep(0.25)
        screen.close()

        lost = verify(srv, ledger, stats, tokens["clerk"])
        display_problems = list(screen.errors[:10])
        closed = [st["i"] for st in screen.streams if st["closed"]]
        if closed:
            display_problems.append(f"{len(closed)} of {displays} display streams were closed by the server")
        missing = [st["i"] for st in screen.streams if not calls <= st["called"]]
        if missing:
            st = screen.streams[missing[0]]
            display_problems.append(f"{len(missing)} display stream(s) missed calls (stream {missing[0]} missed "
                                    f"{len(calls - st['called'])} of {len(calls)})")
        if any(st["bad_ids"] for st in screen.streams):
            display_problems.append("event ids did not rise on some display stream")
        flat = flatness(sampler.samples, t0, t1, tolerance)
    finally:
        exit_code = srv.stop()
    log_bytes = sum(p.stat().st_size for p in logs)
    leaks = leaks_in_logs(logs, ledger.secrets)

    lines = [f"Soak: {minutes:g} min, {stats.total()} requests, {len(ledger.tickets)} tickets "
             f"({sum(1 for t in ledger.tickets.values() if t.origin.startswith('appointment:'))} from check-ins), "
             f"{len(ledger.bookings)} appointments, {len(calls)} calls, {displays} display streams",
             f"{'kind':<20}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}  statuses"]
    for kind in sorted(stats.latency):
        v = stats.latency[kind]
        sts = " ".join(f"{k}:{n}" for k, n in sorted(stats.statuses[kind].items()))
        lines.append(f"{kind:<20}{len(v):>8}{pct(v, 0.5) * 1000:>10.1f}{pct(v, 0.99) * 1000:>10.1f}  {sts}")
    ev = Counter()
    for st in screen.streams:
        ev.update(st["events"])
    lines.append(f"display events per stream (mean): " + ", ".join(f"{k} {n / max(1, displays):.1f}" for k, n in sorted(ev.items())))
    lines.append(f"flatness after warm-up (first 20%; rolling median, limit +{tolerance:.0%}, threads/fds +2):")
    for name, f in flat.items():
        lines.append(f"  {name:<8} warm-up {f['warmup']:>9.0f}  steady {f['steady']:>9.0f}  max {f['max']:>9.0f}  "
                     f"growth {f['growth']:+.1%}  {'ok' if f['ok'] else 'GROWING'}")
    lines.append(f"5xx: {len(stats.server_errors)}, failed connections: {len(stats.transport_errors)}, "
                 f"lost or wrong writes: {len(lost)}, unexpected answers: {len(ledger.findings)}, "
                 f"display problems: {len(display_problems)}, "
                 f"log: {log_bytes / 1e6:.1f} MB at {log_level}, {len(ledger.secrets)} secrets grepped, leaks: {len(leaks)}, "
                 f"server exit {exit_code}")
    for title, items in (("5xx", stats.server_errors), ("failed connections", stats.transport_errors), ("lost", lost),
                         ("displays", display_problems), ("leaks", leaks), ("unexpected answers", ledger.findings)):
        for item in items[:10]:
            lines.append(f"  {title}: {item}")
    summary = "\n".join(lines)
    print(summary, file=out, flush=True)
    return Result(minutes, stats.server_errors, stats.transport_errors, lost, ledger.findings, display_problems, flat,
                  leaks, len(ledger.secrets), log_bytes, exit_code, summary)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=str(ROOT / ".build" / "release" / "loket"))
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "30")))
    ap.add_argument("--displays", type=int, default=int(os.environ.get("SOAK_DISPLAYS", "200")))
    ap.add_argument("--tolerance", type=float, default=0.10)
    ap.add_argument("--work", help="keep the database and logs here (default: a temp dir)")
    args = ap.parse_args()
    res = run(args.minutes, Path(args.binary), displays=args.displays, tolerance=args.tolerance,
              work=Path(args.work) if args.work else None)
    print("soak: PASS" if res.ok else "soak: FAIL")
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
