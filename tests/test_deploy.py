"""The shipped deployment files, run for real.

- ``deploy/loket.service`` passes ``systemd-analyze verify`` (with ExecStart pointing at the built binary).
- ``deploy/nginx/loket.conf``, with only its ports and certificate paths substituted, runs in a real
  nginx (Debian's package, started as the current user on free ports with everything under a temp
  dir) in front of ``loket serve --trusted-proxy 127.0.0.1`` with rate limits on, and over HTTPS:
  the pages load (HTTP/2 offered), a booking is made, a display stream gets a call within a second,
  and rate limits count each client's address (127.0.0.2, 127.0.0.3), not nginx's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
import urllib3

from conftest import LOCATION, LOKET, ROOT, SERVE_CLOCK, SERVICE, TODAY, LoketServer, make_token

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
UNIT = ROOT / "deploy" / "loket.service"
SITE = ROOT / "deploy" / "nginx" / "loket.conf"


# --------------------------------------------------------------------------------- systemd


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_unit_passes_verify(loket_bin, tmp_path):
    text = UNIT.read_text()
    for directive in ["Type=notify", "User=loket", "StateDirectory=loket", "ProtectSystem=strict",
                      "NoNewPrivileges=yes", "ExecReload=/bin/kill -HUP $MAINPID", "--trusted-proxy 127.0.0.1"]:
        assert directive in text, f"{UNIT} lacks {directive}"
    # verify checks that ExecStart's binary exists: point it at the built one.
    unit = tmp_path / "loket.service"
    unit.write_text(substitute(text, "ExecStart=/usr/local/bin/loket ", f"ExecStart={loket_bin} "))
    res = subprocess.run([SYSTEMD_ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    complaints = [ln for ln in (res.stdout + res.stderr).splitlines() if "loket.service" in ln]
    assert res.returncode == 0 and not complaints, f"systemd-analyze verify: {res.returncode}\n{res.stdout}{res.stderr}"


def test_systemd_unit_command_line_is_one_loket_accepts(loket_bin):
    """The ExecStart options are real `loket serve` options (a typo would only show on the server)."""
    exec_start = re.search(r"^ExecStart=(.*?)(?<!\\)$", UNIT.read_text().replace("\\\n", " "), re.M)
    assert exec_start, "no ExecStart"
    args = exec_start.group(1).split()[1:]
    help_text = subprocess.run([str(loket_bin), "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    for option in (a for a in args if a.startswith("--")):
        assert option in help_text, f"ExecStart passes {option}, which `loket serve` does not know"


def test_serve_tells_systemd_it_is_ready_once_it_listens(loket_bin, tmp_path):
    """Type=notify: READY=1 arrives on $NOTIFY_SOCKET after `loket listening on` (nothing without the variable)."""
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(path))
        notify.settimeout(30)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")} | {"NOTIFY_SOCKET": str(path)}
        proc = subprocess.Popen([str(loket_bin), "serve", "--port", "0", "--db", str(tmp_path / "db.sqlite"),
                                 "--config", str(ROOT / "config"), "--pages", str(ROOT / "kiosk"), "--log-level", "warning"],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            banner = proc.stdout.readline()
            assert banner.startswith("loket listening on http://127.0.0.1:"), banner
            message = notify.recv(4096).decode()
            assert "READY=1" in message.splitlines(), message
            assert f"port {banner.strip().rsplit(':', 1)[1]}" in message, message
        finally:
            proc.terminate()
            proc.wait(10)


# --------------------------------------------------------------------------------- nginx


def substitute(text: str, old: str, new: str) -> str:
    """Replaces `old` exactly once, so a changed template fails here instead of testing something else."""
    assert text.count(old) == 1, f"expected {old!r} once in the template, found it {text.count(old)} times"
    return text.replace(old, new)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited with {proc.returncode}: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nginx did not listen on {port} within {timeout} s")


class Proxy:
    def __init__(self, loket: LoketServer, db: Path, https_port: int, http_port: int, cert: Path):
        self.loket, self.db, self.https_port, self.http_port, self.cert = loket, db, https_port, http_port, cert
        self.url = f"https://localhost:{https_port}"
        self.session = requests.Session()
        self.session.verify = str(cert)
        self.session.trust_env = False   # REQUESTS_CA_BUNDLE in the environment would win over `verify`

    def pool(self, source: str) -> urllib3.HTTPSConnectionPool:
        """HTTPS to nginx from the loopback address `source` (any 127.x address is this machine)."""
        return urllib3.HTTPSConnectionPool("localhost", self.https_port, source_address=(source, 0),
                                           cert_reqs="CERT_REQUIRED", ca_certs=str(self.cert), retries=False, timeout=10)


@pytest.fixture(scope="module")
def proxy(loket_bin, tmp_path_factory):
    if not os.access(NGINX, os.X_OK):
        pytest.fail(f"nginx is missing at {NGINX}: run `scripts/install-deps.sh test` (Debian package nginx)", pytrace=False)
    tmp = tmp_path_factory.mktemp("nginx")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)

    db = tmp / "db.sqlite"
    loket = LoketServer(db, SERVE_CLOCK, tmp / "serve.log", rate_limits=True,
                        extra_args=["--trusted-proxy", "127.0.0.1"])
    loket_port = int(loket.url.rsplit(":", 1)[1])
    https_port, http_port = free_port(), free_port()

    site = SITE.read_text()
    site = substitute(site, "server 127.0.0.1:8080;", f"server 127.0.0.1:{loket_port};")
    site = substitute(site, "    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n")
    site = substitute(site, "    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n")
    # IPv6 may be missing in a container: the IPv4 listeners carry the test.
    site = substitute(site, "    listen [::]:443 ssl http2;\n", "")
    site = substitute(site, "    listen [::]:80;\n", "")
    site = substitute(site, "/etc/letsencrypt/live/loket.wilgendaal.be/fullchain.pem", str(cert))
    site = substitute(site, "/etc/letsencrypt/live/loket.wilgendaal.be/privkey.pem", str(key))
    (tmp / "loket.conf").write_text(site)
    # The main config Debian's /etc/nginx/nginx.conf would be, with every path under tmp. As root, nginx's
    # workers would drop to `nobody`, who cannot enter the private temp dir: keep them as the current user.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(f"    {name}_temp_path {tmp}/{name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {tmp}/access.log;\n{temp_paths}    include {tmp}/loket.conf;\n}}\n")
    log = tmp / "error.log"
    nginx = subprocess.Popen([NGINX, "-e", str(log), "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for_port(https_port, nginx, log)
        yield Proxy(loket, db, https_port, http_port, cert)
    finally:
        nginx.send_signal(signal.SIGTERM)
        try:
            nginx.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(nginx.pid, signal.SIGKILL)
            nginx.wait(10)
        loket.stop()


def test_pages_and_health_over_https_with_http2(proxy):
    for path in ["/book", f"/display/{LOCATION}", f"/kiosk/{LOCATION}", "/counter"]:
        r = proxy.session.get(proxy.url + path, timeout=10)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), f"{path}: {r.status_code}"
    health = proxy.session.get(proxy.url + "/api/v1/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok", health.text
    assert "max-age" in health.headers.get("strict-transport-security", "")
    # nginx offers HTTP/2 to clients that ask for it (ALPN).
    context = ssl.create_default_context(cafile=str(proxy.cert))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", proxy.https_port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2"
    # /metrics only for the monitoring host (here: this machine's 127.0.0.1).
    assert proxy.session.get(proxy.url + "/metrics", timeout=10).status_code == 200
    assert proxy.pool("127.0.0.4").request("GET", "/metrics").status == 403
    # Plain HTTP is sent to HTTPS.
    r = requests.get(f"http://127.0.0.1:{proxy.http_port}/book", allow_redirects=False, timeout=10)
    assert r.status_code == 301 and r.headers["location"].startswith("https://"), r.headers


def test_booking_over_https(proxy):
    slots = proxy.session.get(f"{proxy.url}/api/v1/availability",
                              params={"service": SERVICE, "location": LOCATION, "from": TODAY}, timeout=10).json()["slots"]
    assert slots, "no free slot"
    body = {"service": SERVICE, "location": LOCATION, "start": slots[0]["start"], "persons": 1,
            "name": "Fatima El Amrani", "email": "fatima@example.be", "lang": "nl"}
    r = proxy.session.post(f"{proxy.url}/api/v1/appointments", json=body, timeout=10)
    assert r.status_code == 201, r.text
    booked = r.json()
    again = proxy.session.get(f"{proxy.url}/api/v1/appointments/{booked['reference']}",
                              params={"token": booked["manageToken"]}, timeout=10)
    assert again.status_code == 200 and again.json()["start"] == slots[0]["start"], again.text


def test_display_stream_gets_a_call_within_a_second_through_the_proxy(proxy):
    kiosk = make_token(proxy.db, "kiosk", "deploy-kiosk")
    clerk = make_token(proxy.db, "clerk", "deploy-clerk")
    auth = lambda token: {"Authorization": f"Bearer {token}"}   # noqa: E731
    api = proxy.url + "/api/v1"
    assert proxy.session.post(f"{api}/counters/stadhuis-1/open", headers=auth(clerk), timeout=10).status_code == 200
    ticket = proxy.session.post(f"{api}/tickets", headers=auth(kiosk), json={"location": LOCATION, "service": SERVICE},
                                timeout=10)
    assert ticket.status_code == 201, ticket.text
    number = ticket.json()["number"]

    stream = requests.get(f"{api}/locations/{LOCATION}/events", stream=True, verify=str(proxy.cert), timeout=10)
    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
    called: dict = {}
    seen = threading.Event()

    def read():
        event = None
        for line in stream.iter_lines(chunk_size=1, decode_unicode=True):
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "called":
                data = json.loads(line.split(":", 1)[1])
                if data.get("number") == number:
                    called["at"] = time.monotonic()
                    called["data"] = data
                    seen.set()
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.3)   # the stream is open through nginx before the call (its headers came back already)
    t0 = time.monotonic()
    r = proxy.session.post(f"{api}/counters/stadhuis-1/call-next", headers=auth(clerk), timeout=10)
    assert r.status_code == 200 and r.json()["number"] == number, r.text
    assert seen.wait(5), "the display stream did not get the call through nginx"
    stream.close()
    assert called["at"] - t0 < 1.0, f"the call took {called['at'] - t0:.2f} s through nginx (buffered?)"
    assert called["data"]["counter"], called["data"]


def test_rate_limits_count_the_client_behind_the_proxy_not_the_proxy(proxy):
    path = f"/api/v1/availability?service={SERVICE}&location={LOCATION}&from={TODAY}&to={TODAY}"
    first, second = proxy.pool("127.0.0.2"), proxy.pool("127.0.0.3")
    statuses = []
    for _ in range(400):
        r = first.request("GET", path)
        statuses.append(r.status)
        if r.status == 429:
            break
    assert statuses[-1] == 429, f"127.0.0.2 was never limited: {statuses[-5:]}"
    assert set(statuses[:-1]) == {200}, f"before the limit: {sorted(set(statuses))}"
    # The settings allow 120 a minute (a few more may pass while the window moves on).
    assert 100 <= len(statuses) - 1 <= 130, f"limited after {len(statuses) - 1} requests"
    limited = json.loads(r.data)
    assert limited["code"] == "rate_limited" and int(r.headers["Retry-After"]) > 0, r.data
    # Another citizen behind the same nginx is not affected; the limited one still is.
    assert second.request("GET", path).status == 200
    assert first.request("GET", path).status == 429
    # nginx appends the address it sees, and loket believes only that last entry: a forged one does not help.
    assert first.request("GET", path, headers={"X-Forwarded-For": "127.0.0.9"}).status == 429
