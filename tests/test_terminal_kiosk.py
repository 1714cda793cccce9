"""End-to-end tests of `loket kiosk`, the terminal kiosk.

The real binary runs in a pseudo-terminal (pexpect), 80x24, against a live `loket serve` on port 0
with a fixed clock (2026-12-01 is a Tuesday; the demo town hall `stadhuis` has walk-in hours
08:30-12:00). Keys are sent as a person (or tmux send-keys) would type them; what the kiosk draws
is replayed into a small VT100 screen model, so assertions are on the screen as a person sees it.
Printed tickets go to a plain file and are compared byte for byte with the expected ESC/POS.

Every wait is bounded (at most 15 s) and every process is killed in teardown.
Run: python -m pytest -q tests/test_terminal_kiosk.py (after `swift build --product loket`).
"""

import json
import os
import random
import re
import select
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / ".build" / "debug" / "loket"
CLOCK = "2026-12-01T09:00:00+01:00"  # a Tuesday, inside the walk-in hours
WAIT = 15  # seconds: the longest any single wait may take

pytestmark = pytest.mark.skipif(not BINARY.exists(), reason="build first: swift build --product loket")


# --------------------------------------------------------------------------- a tiny VT100 screen


class Screen:
    """Replays the escape sequences the kiosk uses (CSI H/J/K, SGR, DEC modes, CR/LF) into a grid."""

    CSI = re.compile(r"\x1b\[([?0-9;]*)([@-~])")

    def __init__(self, rows=24, cols=80):
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.r = self.c = 0
        self.pending = ""
        self.alternate = False
        self.cursor_visible = True

    def feed(self, data):
        data = self.pending + data
        self.pending = ""
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                m = self.CSI.match(data, i)
                if m:
                    self._csi(m.group(1), m.group(2))
                    i = m.end()
                    continue
                rest = data[i:]
                if re.fullmatch(r"\x1b(\[[?0-9;]*)?", rest):
                    self.pending = rest  # an unfinished sequence: wait for the rest
                    return
                i += 2  # some other two-byte escape
                continue
            if ch == "\r":
                self.c = 0
            elif ch == "\n":
                self.r = min(self.r + 1, self.rows - 1)
            elif ch >= " ":
                if self.c < self.cols:
                    self.grid[self.r][self.c] = ch
                self.c += 1
            i += 1

    def _csi(self, params, final):
        if final == "H":
            parts = [p for p in params.split(";") if p]
            self.r = (int(parts[0]) - 1) if parts else 0
            self.c = (int(parts[1]) - 1) if len(parts) > 1 else 0
        elif final == "K":
            for c in range(min(self.c, self.cols), self.cols):
                self.grid[self.r][c] = " "
        elif final == "J" and params == "2":
            self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final in "hl" and params.startswith("?"):
            on = final == "h"
            if params == "?1049":
                self.alternate = on
            elif params == "?25":
                self.cursor_visible = on

    def lines(self):
        return ["".join(row).rstrip() for row in self.grid]

    def text(self):
        return "\n".join(self.lines())


# --------------------------------------------------------------------------- server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`loket serve` on a temp database; `start` returns once it listens."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.db = tmp / "db.sqlite"
        self.proc = None
        self.port = 0
        self.log = None

    def start(self, port=0, clock=CLOCK):
        self.log = open(self.tmp / "server.log", "ab")
        self.proc = subprocess.Popen(
            [str(BINARY), "serve", "--port", str(port), "--db", str(self.db), "--clock", clock,
             "--config", str(ROOT / "config"), "--pages", str(ROOT / "kiosk"), "--no-rate-limits",
             "--log-level", "warning"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log)
        deadline = time.monotonic() + WAIT
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                line += chunk
                m = re.search(rb"loket listening on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    return self
        self.kill()
        raise AssertionError(f"server did not start: {line!r}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=WAIT)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if self.log:
            self.log.close()
            self.log = None

    def token(self, role="kiosk", name="k1"):
        out = subprocess.run([str(BINARY), "token", "add", "--role", role, "--name", name, "--db", str(self.db),
                              "--config", str(ROOT / "config")],
                             cwd=ROOT, capture_output=True, timeout=WAIT, check=True)
        return out.stdout.decode().strip()

    def api(self, method, path, body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=WAIT) as res:
                raw = res.read()
                return res.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path).start()
    yield s
    s.kill()


# --------------------------------------------------------------------------- kiosk


class Kiosk:
    """`loket kiosk` in an 80x24 pseudo-terminal, with its screen replayed."""

    def __init__(self, tmp, server_url, token=None, printer=None, extra=(), env=None):
        self.screen = Screen(24, 80)
        self.raw = ""
        args = ["kiosk", "--server", server_url, "--location", "stadhuis", "--reset-seconds", "5",
                "--refresh-seconds", "2"]
        if token is not None:
            token_file = tmp / "kiosk.token"
            token_file.write_text(token + "\n")
            args += ["--token-file", str(token_file)]
        if printer is not None:
            args += ["--printer", str(printer)]
        args += list(extra)
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color", "LANG": "C.UTF-8",
                       "HOME": str(tmp)}
        environment.update(env or {})
        self.child = pexpect.spawn(str(BINARY), args, cwd=str(ROOT), env=environment, dimensions=(24, 80),
                                   encoding="utf-8", codec_errors="replace", timeout=WAIT)

    def pump(self, seconds=0.1):
        """Reads what the kiosk wrote within `seconds`."""
        end = time.monotonic() + seconds
        while True:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=max(0.01, end - time.monotonic()))
                self.raw += chunk
                self.screen.feed(chunk)
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                return
            if time.monotonic() >= end:
                return

    def wait_for(self, what, timeout=WAIT):
        """Waits until the screen contains `what` (a string or compiled regex); returns the match."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen.text()
            if isinstance(what, re.Pattern):
                m = what.search(text)
                if m:
                    return m
            elif what in text:
                return what
            if time.monotonic() >= deadline:
                raise AssertionError(f"screen never showed {what!r}; it shows:\n{text}")
            if not self.child.isalive():
                self.pump(0.2)
                raise AssertionError(f"kiosk exited while waiting for {what!r}; screen:\n{self.screen.text()}")
            self.pump(0.1)

    def wait_until_gone(self, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while what in self.screen.text():
            if time.monotonic() >= deadline:
                raise AssertionError(f"screen kept showing {what!r}")
            self.pump(0.1)

    def send(self, keys):
        self.child.send(keys)

    def type_line(self, text):
        """Types like a person: one key at a time, then Enter."""
        for ch in text:
            self.child.send(ch)
            time.sleep(0.02)
        self.child.send("\r")

    def wait_exit(self, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while self.child.isalive() and time.monotonic() < deadline:
            self.pump(0.1)
        self.pump(0.2)
        assert not self.child.isalive(), "kiosk did not exit"
        self.child.close()
        return self.child.exitstatus, self.child.signalstatus

    def close(self):
        if self.child.isalive():
            self.child.kill(signal.SIGKILL)
        self.child.close(force=True)


@pytest.fixture
def kiosks():
    started = []

    def start(*args, **kwargs):
        k = Kiosk(*args, **kwargs)
        started.append(k)
        return k

    yield start
    for k in started:
        k.close()


# --------------------------------------------------------------------------- helpers


START = "Kies uw dienst: typ het nummer en druk Enter."
OUT_OF_SERVICE = "Buiten dienst – meld u aan de balie"
NUMBER = re.compile(r"Uw volgnummer: ([A-Z]{1,3}\d{3})")
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/t/[A-Za-z0-9_-]+)")


def wait_for_file(path, predicate, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and predicate(path.read_bytes()):
            return path.read_bytes()
        time.sleep(0.1)
    raise AssertionError(f"{path} never reached the expected state: {path.read_bytes() if path.exists() else None!r}")


def ascii_fold(text):
    import unicodedata
    spelled = {"ß": "ss", "–": "-", "—": "-", "’": "'", "…": "...", "€": "EUR", "\u00a0": " "}
    out = []
    for ch in text:
        if " " <= ch < "\x7f":
            out.append(ch)
        elif ch in spelled:
            out.append(spelled[ch])
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            out.append(base if " " <= base < "\x7f" else "?")
    return "".join(out)


def wrap(text, width=42):
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            if current:
                lines.append(current)
            while len(word) > width:
                lines.append(word[:width])
                word = word[width:]
            current = word
    return lines + ([current] if current or not lines else [])


def expected_receipt(heading, number, lines, link):
    """The exact ESC/POS bytes the kiosk must print (see ESCPOSEncoder.swift)."""
    def text(s):
        return b"".join(line.encode("ascii") + b"\n" for line in wrap(ascii_fold(s)))

    data = link.encode("ascii")
    store = len(data) + 3
    out = b"\x1b@" + b"\x1ba\x01" + text(heading)
    out += b"\x1d!\x22" + number.encode() + b"\n" + b"\x1d!\x00" + b"\n"
    for line in lines:
        out += text(line)
    out += b"\n" + text("Scan om uw beurt te volgen")
    out += b"\x1d(k\x04\x001A2\x00"              # fn 65: model 2
    out += b"\x1d(k\x03\x001C\x06"               # fn 67: module size 6
    out += b"\x1d(k\x03\x001E1"                  # fn 69: error correction M
    out += b"\x1d(k" + bytes([store & 0xFF, store >> 8]) + b"1P0" + data  # fn 80: store
    out += b"\x1d(k\x03\x001Q0"                  # fn 81: print
    out += b"\n" + text(link)
    out += b"\x1bd\x04" + b"\x1dVB\x00"          # feed, cut
    return out


def screen_value(kiosk, pattern):
    m = re.search(pattern, kiosk.screen.text())
    return m.group(1).strip() if m else None


def book_appointment(server, not_before="11:00"):
    """Books eid-aanvraag at the first free slot at or after `not_before` today; returns (reference, start)."""
    status, body = server.api("GET", "/api/v1/availability?service=eid-aanvraag&location=stadhuis&from=2026-12-01&to=2026-12-01")
    assert status == 200, body
    slot = next(s for s in body["slots"] if s["start"][11:16] >= not_before)
    status, body = server.api("POST", "/api/v1/appointments", {
        "service": "eid-aanvraag", "location": "stadhuis", "start": slot["start"], "persons": 1,
        "name": "Test Kiosk", "email": "t@example.be"})
    assert status == 201, body
    return body["reference"], slot["start"]


def broken_reference(reference):
    """The same reference with a wrong check symbol: never valid."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    last = reference[-1]
    return reference[:-1] + alphabet[(alphabet.index(last) + 1) % len(alphabet)]


# --------------------------------------------------------------------------- tests


def test_help_and_token_rules(tmp_path):
    out = subprocess.run([str(BINARY), "kiosk", "--help"], capture_output=True, timeout=WAIT, text=True)
    assert out.returncode == 0
    for option in ["--server", "--location", "--token-file", "--lang", "--printer", "--reset-seconds"]:
        assert option in out.stdout
    assert "--token <" not in out.stdout  # never on the command line in clear
    env = {k: v for k, v in os.environ.items() if k != "LOKET_KIOSK_TOKEN"}
    out = subprocess.run([str(BINARY), "kiosk", "--server", "http://127.0.0.1:9", "--location", "stadhuis"],
                         capture_output=True, timeout=WAIT, text=True, env=env)
    assert out.returncode != 0
    assert "LOKET_KIOSK_TOKEN" in out.stderr


def test_walk_in_ticket_is_shown_printed_and_called(server, kiosks, tmp_path):
    printer = tmp_path / "printer.bin"
    kiosk = kiosks(tmp_path, server.url, token=server.token(), printer=printer)
    kiosk.wait_for(START)
    lines = kiosk.screen.lines()
    assert lines[0].startswith(" Stadhuis Wilgendaal") and lines[0].endswith("Nederlands")
    assert re.match(r"^ +1  \S", lines[5]), lines
    assert "Nummer of referentie:" in lines[22]
    assert all(len(line) <= 80 for line in lines)

    kiosk.send("1")
    kiosk.send("\r")
    number = kiosk.wait_for(NUMBER).group(1)
    kiosk.wait_for("Neem uw ticket.")
    link = kiosk.wait_for(LINK).group(1)
    service = screen_value(kiosk, r"Dienst: (.+)")
    position = screen_value(kiosk, r"(Plaats in de rij: \d+)")
    # No clerk has opened a counter yet at 09:00: the receipt says so instead of an estimate.
    wait = screen_value(kiosk, r"(Geschatte wachttijd: ongeveer \d+ min|U bent bijna aan de beurt\.|De loketten zijn nog niet open\.)")
    assert wait == "De loketten zijn nog niet open.", wait

    ticket_id = link.rsplit("/", 1)[1]
    status, ticket = server.api("GET", f"/api/v1/tickets/{ticket_id}")
    assert status == 200 and ticket["number"] == number
    issued = ticket["issuedAt"]
    when = f"{issued[8:10]}/{issued[5:7]}/{issued[0:4]} {issued[11:16]}"
    facts = [f"Dienst: {service}"] + [x for x in (position, wait) if x] + [when, "Stadhuis Wilgendaal"]
    expected = expected_receipt("Uw volgnummer", number, facts, link)
    printed = wait_for_file(printer, lambda b: b.endswith(b"\x1dVB\x00"))
    assert printed == expected

    # Back to the start screen by itself (--reset-seconds 5).
    kiosk.wait_for(START, timeout=10)

    # A clerk calls the next ticket: the lobby display shows this number.
    clerk = server.token(role="clerk", name="clerk1")
    assert server.api("POST", "/api/v1/counters/stadhuis-2/open", {}, token=clerk)[0] == 200
    status, called = server.api("POST", "/api/v1/counters/stadhuis-2/call-next", {}, token=clerk)
    assert status == 200 and called["number"] == number
    status, display = server.api("GET", "/api/v1/locations/stadhuis/display")
    assert status == 200 and number in [c["number"] for c in display["called"]]


def test_language_paging_and_ctrl_c(server, kiosks, tmp_path):
    kiosk = kiosks(tmp_path, server.url, token=server.token())
    kiosk.wait_for(START)
    pages = int(kiosk.wait_for(re.compile(r"Pagina 1 van (\d+)")).group(1))
    assert pages > 1
    kiosk.send("+")
    kiosk.wait_for("Pagina 2 van")
    kiosk.send("-")
    kiosk.wait_for("Pagina 1 van")
    kiosk.send("\x1b[6~")  # PageDown on a full keyboard
    kiosk.wait_for("Pagina 2 van")
    kiosk.send("/")
    kiosk.wait_for("Choisissez votre service")
    kiosk.wait_for("Hôtel de ville de Wilgendaal")
    kiosk.send("/")
    kiosk.wait_for("Choose your service")
    # Ctrl-C once: back to the start in the kiosk's own language; the kiosk keeps running.
    kiosk.send("\x03")
    kiosk.wait_for(START)
    kiosk.wait_for("Pagina 1 van")
    time.sleep(2.5)
    kiosk.send("\x03")
    kiosk.pump(0.5)
    assert kiosk.child.isalive()
    # Twice within 2 s: quit, and the terminal is put back.
    kiosk.send("\x03")
    status, sig = kiosk.wait_exit()
    assert status == 0, (status, sig)
    assert kiosk.raw.endswith("\x1b[?25h\x1b[?1049l")
    assert not kiosk.screen.alternate and kiosk.screen.cursor_visible


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signals_restore_the_terminal(server, kiosks, tmp_path, sig):
    kiosk = kiosks(tmp_path, server.url, token=server.token())
    kiosk.wait_for(START)
    assert kiosk.screen.alternate and not kiosk.screen.cursor_visible
    kiosk.child.kill(sig)
    kiosk.wait_exit()
    assert kiosk.raw.endswith("\x1b[?25h\x1b[?1049l")
    assert not kiosk.screen.alternate and kiosk.screen.cursor_visible


def test_resize_redraws_for_the_new_size(server, kiosks, tmp_path):
    kiosk = kiosks(tmp_path, server.url, token=server.token())
    kiosk.wait_for(START)
    small = int(kiosk.wait_for(re.compile(r"Pagina 1 van (\d+)")).group(1))
    kiosk.screen = Screen(50, 132)
    kiosk.child.setwinsize(50, 132)  # the kernel sends SIGWINCH
    kiosk.wait_for(START)
    large = int(kiosk.wait_for(re.compile(r"Pagina 1 van (\d+)")).group(1))
    assert large < small
    lines = kiosk.screen.lines()
    assert lines[0].endswith("Nederlands") and len(lines[0]) == 131  # the bar ends in one space
    assert "Nummer of referentie:" in lines[48]


def test_number_and_reference_answers(server, kiosks, tmp_path):
    kiosk = kiosks(tmp_path, server.url, token=server.token())
    kiosk.wait_for(START)
    kiosk.type_line("999")
    kiosk.wait_for("Er is geen dienst met nummer 999.")
    reference, start = book_appointment(server)
    kiosk.type_line(broken_reference(reference).replace("-", ""))
    kiosk.wait_for("Deze referentie klopt niet.")
    # A scanner sends the whole reference at once, lower case and without the dash.
    kiosk.send(reference.replace("-", "").lower() + "\r")
    kiosk.wait_for("U bent te vroeg")
    kiosk.wait_for(re.compile(r"Aanmelden kan vanaf \d\d:\d\d\."))
    kiosk.wait_for(f"Uw afspraak: 01/12/2026 om {start[11:16]}.")
    kiosk.send("*")  # within the first second this is ignored, later it goes back
    time.sleep(1.2)
    kiosk.send("*")
    kiosk.wait_for(START)


def test_server_loss_and_recovery_then_check_in(server, kiosks, tmp_path):
    printer = tmp_path / "printer.bin"
    token = server.token()
    reference, start = book_appointment(server)
    kiosk = kiosks(tmp_path, server.url, token=token, printer=printer)
    kiosk.wait_for(START)
    port = server.port

    server.kill()  # SIGKILL: no goodbye
    kiosk.wait_for(OUT_OF_SERVICE)
    kiosk.wait_for("Hors service – adressez-vous à l'accueil")
    kiosk.type_line("1")  # keys do nothing while out of service
    kiosk.pump(0.5)
    assert OUT_OF_SERVICE in kiosk.screen.text()
    assert not printer.exists()

    # The server comes back on the same port and database, ten minutes before the appointment.
    hh, mm = int(start[11:13]), int(start[14:16]) - 10
    if mm < 0:
        hh, mm = hh - 1, mm + 60
    server.start(port=port, clock=f"2026-12-01T{hh:02d}:{mm:02d}:00+01:00")
    kiosk.wait_for(START)
    kiosk.wait_until_gone(OUT_OF_SERVICE)

    kiosk.send(reference + "\r")
    m = kiosk.wait_for(re.compile(r"U bent aangemeld\. Uw volgnummer: ([A-Z]{1,3}\d{3})"))
    number = m.group(1)
    link = kiosk.wait_for(LINK).group(1)
    kiosk.wait_for("Neem uw ticket.")
    printed = wait_for_file(printer, lambda b: b.endswith(b"\x1dVB\x00"))
    assert printed.startswith(b"\x1b@\x1ba\x01U bent aangemeld. Uw volgnummer\n\x1d!\x22" + number.encode() + b"\n")
    assert b"1P0" + link.encode() + b"\x1d(k\x03\x001Q0" in printed
    assert printed.count(b"\x1b@") == 1  # exactly one ticket printed, nothing while out of service


def test_vanished_printer_still_shows_the_ticket(server, kiosks, tmp_path):
    printer = tmp_path / "unplugged" / "lp0"  # the directory does not exist: open fails
    kiosk = kiosks(tmp_path, server.url, token=server.token(), printer=printer)
    kiosk.wait_for(START)
    kiosk.type_line("1")
    kiosk.wait_for(NUMBER)
    kiosk.wait_for("Printer werkt niet – meld u aan de balie")
    kiosk.wait_for(LINK)
    assert kiosk.child.isalive()


def test_bad_token_and_unknown_location(server, kiosks, tmp_path):
    kiosk = kiosks(tmp_path, server.url, token="not-a-real-token")
    kiosk.wait_for(START)
    kiosk.type_line("1")
    kiosk.wait_for("Kiosk niet ingesteld – meld u aan de balie")
    other = tmp_path / "other"
    other.mkdir()
    lost = kiosks(other, server.url, token="x", extra=["--location", "nergens"])
    lost.wait_for("Kiosk niet ingesteld – meld u aan de balie")


def test_any_key_sequence_leaves_it_running(server, kiosks, tmp_path):
    printer = tmp_path / "printer.bin"
    kiosk = kiosks(tmp_path, server.url, token=server.token(), printer=printer)
    kiosk.wait_for(START)
    seed = 20261201
    print(f"garbage seed {seed}")
    rng = random.Random(seed)
    pieces = ["\x1b[A", "\x1b[5~", "\x1bOq", "\x1b[200~", "\x1b]0;title\x07", "é", "\x7f", "+", "-", "*", "/", "\x1b",
              "\x00", "\x1a", "\x13", "\x11", "\x04", "\t", "\x1b[999999999;99999999H", "ÿ"]
    for _ in range(300):
        if rng.random() < 0.5:
            chunk = rng.choice(pieces)
        else:
            # Random bytes, but never Ctrl-C (two of them would rightly quit) or Enter (asks for tickets).
            chunk = bytes(b for b in rng.randbytes(rng.randint(1, 12)) if b not in (0x03, 0x0D, 0x0A))
            chunk = chunk.decode("latin-1")
        kiosk.child.send(chunk)
    kiosk.pump(1)
    assert kiosk.child.isalive()
    kiosk.send("\x03")
    kiosk.wait_for(START)
    kiosk.type_line("1")
    kiosk.wait_for(NUMBER)
    assert all(len(line) <= 80 for line in kiosk.screen.lines())
