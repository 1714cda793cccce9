"""Shared fixtures for the browser tests (and anything else under tests/ that needs a live loket).

- ``loket_bin``: the debug binary ``.build/debug/loket`` (build it with ``swift build --product loket``).
- ``server``: one ``loket serve --port 0`` for the whole session, on a temp database, with the clock
  pinned to Tuesday 2026-12-01 09:00 (walk-in open at the demo town hall ``stadhuis``). Before it
  starts, a first server at 07:00 books the appointments the kiosk checks in later (lead time is
  120 minutes, the check-in window 30 minutes before to 15 after), so ``server.appointments`` holds
  appointments that can be checked in at 09:00.
- ``kiosk_token`` / ``clerk_token``: made with ``loket token add`` on the same database.
- ``browser``: a factory of headless Debian Chromium sessions (``/usr/bin/chromium`` +
  ``/usr/bin/chromedriver``; selenium-manager stays offline) with the console captured.
  ``Browser.assert_no_console_errors(allow=[...])`` fails on SEVERE console entries; whatever a
  test did not check is checked again when the fixture tears down.
- ``axe_run``: axe-core through axe-selenium-python, WCAG 2.0/2.1/2.2 A and AA rules only.

Screenshots go to /tmp/loket-shots/ (override with LOKET_SHOTS), never into the repository.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pytest
import requests

from loketproc import ServeProcess, leaks_in_logs, token_add

# Selenium must never try to download a driver or a browser: Debian's are used explicitly.
os.environ["SE_OFFLINE"] = "true"
os.environ.setdefault("SE_AVOID_STATS", "true")

ROOT = Path(__file__).resolve().parent.parent
LOKET = ROOT / ".build" / "debug" / "loket"
CONFIG = ROOT / "config"
PAGES = ROOT / "kiosk"
I18N = PAGES / "i18n"
SHOTS = Path(os.environ.get("LOKET_SHOTS", "/tmp/loket-shots"))

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

BOOKING_CLOCK = "2026-12-01T07:00:00+01:00"   # lead time 120 min: slots from 09:00 on
SERVE_CLOCK = "2026-12-01T09:00:00+01:00"     # a Tuesday; stadhuis walk-in 08:30-12:00
TODAY = "2026-12-01"
LOCATION = "stadhuis"
SERVICE = "eid-aanvraag"
CITIZEN = "Zoë Peeters"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Log privacy (issue 13): every server log of the session, and every secret a test sent or got back
# through these helpers (tokens from make_token, manage and waitlist tokens, citizens' names and
# e-mail addresses), are recorded here; at the end of the session every log is grepped for every
# secret (pytest_sessionfinish below) and a hit fails the run. Servers log at debug for that.
LOG_LEVEL = os.environ.get("LOKET_TEST_LOG_LEVEL", "debug")
SERVER_LOGS: list[Path] = []
SECRETS: dict[str, str] = {}


def remember_secret(value, what: str):
    """Records a secret a test used; the end-of-session check looks for it in every server log."""
    if isinstance(value, str) and len(value) >= 4:
        SECRETS[value] = what
        escaped = json.dumps(value)[1:-1]   # a name may reach a log JSON-escaped
        if escaped != value:
            SECRETS[escaped] = what + " (JSON-escaped)"


def remember_exchange(body, answer):
    """The secrets in a request body (a citizen's name, e-mail, phone) and in its JSON answer (tokens)."""
    if isinstance(body, dict) and ("email" in body or "phone" in body):
        for key in ("name", "email", "phone"):
            remember_secret(body.get(key), f"citizen {key}")
    if isinstance(answer, dict):
        for key in ("manageToken", "token"):
            remember_secret(answer.get(key), key)


def register_log(path: Path):
    """A server log the end-of-session check greps (LoketServer registers its own)."""
    SERVER_LOGS.append(Path(path))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    leaks = leaks_in_logs(SERVER_LOGS, SECRETS)
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.ensure_newline()
            reporter.section("log privacy: secrets found in server logs", red=True)
            for line in leaks:
                reporter.write_line(line)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the real pages in headless Chromium")


# --------------------------------------------------------------------------------- the binary


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def loket_bin() -> Path:
    if not (LOKET.is_file() and os.access(LOKET, os.X_OK)):
        pytest.fail(
            f"{LOKET} is missing: build it first with `cd {ROOT} && swift build --product loket` "
            "(`make test` does this for you)",
            pytrace=False,
        )
    return LOKET


def make_token(db: Path, role: str, name: str) -> str:
    """`loket token add` prints the new token alone on standard output."""
    token = token_add(LOKET, db, CONFIG, role, name, cwd=ROOT)
    remember_secret(token, f"{role} token")
    return token


# --------------------------------------------------------------------------------- the server


class LoketServer(ServeProcess):
    """One `loket serve --port 0` process; `url` is read from its `loket listening on` line."""

    def __init__(self, db: Path, clock: str, log: Path, config: Path | None = None, *, rate_limits: bool = False,
                 extra_args: Iterable[str] = ()):
        self.db = db
        self.clock = clock
        register_log(log)
        super().__init__(
            [str(LOKET), "serve", "--port", "0", "--host", "127.0.0.1", "--db", str(db), "--clock", clock,
             *([] if rate_limits else ["--no-rate-limits"]), "--log-level", LOG_LEVEL, "--config", str(config or CONFIG),
             "--pages", str(PAGES), *extra_args],
            log=log, cwd=ROOT, wait=30)
        self.session = requests.Session()

    # -- HTTP helpers (the API, as a script or another device would use it)
    def api(self, method: str, path: str, *, token: str | None = None, expect: int | Iterable[int] | None = None,
            **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("http") else f"{self.url}/api/v1{path}"
        res = self.session.request(method, url, headers=headers, timeout=15, **kw)
        if "json" in kw or "json" in res.headers.get("Content-Type", ""):
            try:
                remember_exchange(kw.get("json"), res.json() if "json" in res.headers.get("Content-Type", "") else None)
            except ValueError:
                pass
        if expect is not None:
            codes = {expect} if isinstance(expect, int) else set(expect)
            assert res.status_code in codes, f"{method} {path}: {res.status_code} {res.text[:500]}"
        return res

    def get(self, path: str, **kw):
        return self.api("GET", path, **kw)

    def post(self, path: str, **kw):
        return self.api("POST", path, **kw)

    def page(self, path: str) -> str:
        return f"{self.url}{path}"


@dataclass
class Appointment:
    reference: str
    manage_token: str
    start: str
    name: str
    email: str


@dataclass
class Site:
    """The live server of the session plus what was prepared on it."""

    server: LoketServer
    db: Path
    appointments: list[Appointment] = field(default_factory=list)
    _tokens: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name):   # url, api, get, post, page … come from the server
        if name.startswith("_") or name == "server":
            raise AttributeError(name)
        return getattr(self.server, name)

    def token(self, role: str, name: str | None = None) -> str:
        key = f"{role}:{name or role}"
        if key not in self._tokens:
            self._tokens[key] = make_token(self.db, role, name or f"browser-test-{role}")
        return self._tokens[key]

    def issue_ticket(self, service: str = SERVICE, location: str = LOCATION) -> dict:
        return self.post("/tickets", token=self.token("kiosk"), json={"location": location, "service": service},
                         expect=201).json()


def book_checkin_appointments(srv: LoketServer, count: int = 2) -> list[Appointment]:
    """At 07:00 books `count` appointments today between 09:00 and 09:25, inside the check-in window at 09:00."""
    slots = srv.get(f"/availability?service={SERVICE}&location={LOCATION}&from={TODAY}&to={TODAY}",
                    expect=200).json()["slots"]
    usable = [s for s in slots if f"{TODAY}T09:00" <= s["start"][:16] <= f"{TODAY}T09:25"]
    assert len(usable) >= 1, f"no slot between 09:00 and 09:25 on {TODAY}: {slots[:5]}"
    out = []
    for i in range(count):
        slot = usable[min(i, len(usable) - 1)]
        name = CITIZEN if i == 0 else f"Jérôme Dubois {i}"
        email = f"checkin{i}@example.be"
        body = {"service": SERVICE, "location": LOCATION, "start": slot["start"], "persons": 1,
                "name": name, "email": email, "lang": "nl"}
        a = srv.post("/appointments", json=body, expect=201).json()
        assert a["status"] == "booked"
        out.append(Appointment(a["reference"], a["manageToken"], a["start"], name, email))
    return out


@pytest.fixture(scope="session")
def server(loket_bin, tmp_path_factory) -> Site:
    tmp = tmp_path_factory.mktemp("loket")
    db = tmp / "db.sqlite"
    early = LoketServer(db, BOOKING_CLOCK, tmp / "serve-0700.log")
    try:
        appointments = book_checkin_appointments(early)
    finally:
        early.stop()
    srv = LoketServer(db, SERVE_CLOCK, tmp / "serve-0900.log")
    site = Site(srv, db, appointments)
    yield site
    srv.stop()


@pytest.fixture(scope="session")
def kiosk_token(server) -> str:
    return server.token("kiosk", "browser-kiosk")


@pytest.fixture(scope="session")
def clerk_token(server) -> str:
    return server.token("clerk", "browser-clerk")


@pytest.fixture(scope="session")
def i18n() -> dict[str, dict]:
    return {lang: json.loads((I18N / f"{lang}.json").read_text("utf-8")) for lang in ("nl", "fr", "en", "de")}


def tr(dicts: dict[str, dict], lang: str, key: str) -> str:
    v = dicts[lang]
    for part in key.split("."):
        v = v[part]
    return v


# --------------------------------------------------------------------------------- the browser

# Probe installed before any page script: counts EventSource opens and records #current-number changes.
PROBE_JS = r"""
(() => {
  window.__probe = {sseOpen: 0, numbers: []};
  const O = window.EventSource;
  if (O) {
    window.EventSource = class extends O {
      constructor(...a) { super(...a); this.addEventListener('open', () => { window.__probe.sseOpen++; }); }
    };
  }
  const watch = () => {
    const el = document.getElementById('current-number');
    if (!el) return;
    const rec = () => window.__probe.numbers.push({text: el.textContent, t: Date.now()});
    new MutationObserver(rec).observe(el, {childList: true, characterData: true, subtree: true});
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
})();
"""


class Browser:
    """A Chromium session plus the helpers the tests share."""

    def __init__(self, driver, name: str):
        self.driver = driver
        self.name = name
        self.console: list[dict] = []     # every entry seen so far
        self.unchecked: list[dict] = []   # entries no assertion looked at yet
        self.allowed: list[str] = []      # regexes of SEVERE lines this test expects

    # ---- viewport and screenshots
    def viewport(self, width: int, height: int, *, mobile: bool = False, scale: float = 1):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile,
            "screenWidth": width, "screenHeight": height})
        if mobile:
            self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        self.size = (width, height)

    def shot(self, name: str, *, full: bool = False) -> Path:
        """Saves a PNG to SHOTS; full=True captures the whole scrollable page."""
        import base64

        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        params: dict = {"format": "png", "captureBeyondViewport": full}
        if full:
            w, h = self.driver.execute_script(
                "return [document.documentElement.clientWidth,"
                " Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)]")
            params["clip"] = {"x": 0, "y": 0, "width": w, "height": min(h, 8000), "scale": 1}
        data = self.driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    # ---- finding things
    def get(self, url: str):
        self.driver.get(url)

    def wait(self, timeout: float = 10):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.05)

    def tid(self, testid: str, timeout: float = 10):
        """The element with data-testid=testid once it is visible."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC

        return self.wait(timeout).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, f'[data-testid="{testid}"]')),
            f"[data-testid={testid}] not visible within {timeout}s on {self.driver.current_url}")

    def css(self, selector: str, timeout: float = 10):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC

        return self.wait(timeout).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, selector)),
            f"{selector} not visible within {timeout}s on {self.driver.current_url}")

    def present(self, testid: str):
        from selenium.webdriver.common.by import By

        els = self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')
        return els[0] if els else None

    def visible(self, testid: str) -> bool:
        el = self.present(testid)
        try:
            return bool(el and el.is_displayed())
        except Exception:   # stale: re-rendered meanwhile
            return False

    def click(self, testid: str, timeout: float = 10):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC

        el = self.wait(timeout).until(
            EC.element_to_be_clickable((By.CSS_SELECTOR, f'[data-testid="{testid}"]')),
            f"[data-testid={testid}] not clickable within {timeout}s on {self.driver.current_url}")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.click()
        return el

    def text_of(self, testid: str) -> str:
        from selenium.common.exceptions import StaleElementReferenceException

        # Live pages redraw their lists on every event: an element found a moment ago may be gone.
        for _ in range(5):
            el = self.present(testid)
            try:
                return el.text if el else ""
            except StaleElementReferenceException:
                continue
        return ""

    def wait_text(self, testid: str, pred: Callable[[str], bool] | str | re.Pattern, timeout: float = 10,
                  what: str = "") -> str:
        """Waits until the visible text of testid satisfies pred (a callable, an exact string or a regex)."""
        if isinstance(pred, str):
            want = pred
            check = lambda s: s == want  # noqa: E731
        elif isinstance(pred, re.Pattern):
            rx = pred
            check = lambda s: bool(rx.search(s))  # noqa: E731
        else:
            check = pred
        seen = {"v": None}

        def cond(_):
            try:
                el = self.present(testid)
                v = el.text.strip() if el and el.is_displayed() else None
            except Exception:
                return False
            seen["v"] = v
            return v if v is not None and check(v) else False

        try:
            return self.wait(timeout).until(cond)
        except Exception as e:
            raise AssertionError(
                f"[data-testid={testid}] text {seen['v']!r} never matched {what or pred!r} within {timeout}s "
                f"on {self.driver.current_url}") from e

    def body_text(self) -> str:
        return self.driver.execute_script("return document.body.innerText")

    def html_lang(self) -> str:
        return self.driver.execute_script("return document.documentElement.lang")

    def local_storage(self) -> dict:
        return self.driver.execute_script(
            "const o = {}; for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i);"
            " o[k] = localStorage.getItem(k); } return o;")

    # ---- console
    def collect_console(self) -> list[dict]:
        try:
            entries = self.driver.get_log("browser")
        except Exception:
            entries = []
        self.console.extend(entries)
        self.unchecked.extend(entries)
        return entries

    def allow_console(self, *patterns: str):
        """Regexes of SEVERE console lines this test expects (e.g. a deliberate 404)."""
        self.allowed.extend(patterns)

    def console_errors(self, allow: Iterable[str] = ()) -> list[str]:
        self.collect_console()
        pats = [re.compile(p) for p in [*self.allowed, *allow]]
        bad = []
        for e in self.unchecked:
            if e.get("level") != "SEVERE":
                continue
            msg = e.get("message", "")
            if any(p.search(msg) for p in pats):
                continue
            bad.append(msg)
        self.unchecked = []
        return bad

    def assert_no_console_errors(self, allow: Iterable[str] = ()):
        bad = self.console_errors(allow)
        assert not bad, f"console errors in {self.name}:\n" + "\n".join(bad)


def new_chromium(*, width: int, height: int, lang: str = "nl-BE", autoplay: bool = False, probe: bool = False):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: apt-get install chromium chromium-driver", pytrace=False)
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", f"--lang={lang}", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-sync", "--disable-component-update", "--disable-default-apps",
                "--disable-features=Translate,MediaRouter,OptimizationHints",
                "--password-store=basic", "--use-mock-keychain", "--mute-audio",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"):
        opts.add_argument(arg)
    if autoplay:
        opts.add_argument("--autoplay-policy=no-user-gesture-required")
    opts.add_experimental_option("prefs", {"intl.accept_languages": lang})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.page_load_strategy = "normal"
    service = Service(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    if probe:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE_JS})
    return driver


@pytest.fixture
def browser(request):
    """browser(name, width, height, mobile=False, lang='nl-BE', autoplay=False, probe=False) -> Browser."""
    made: list[Browser] = []

    def make(name: str = "page", width: int = 1366, height: int = 768, *, mobile: bool = False,
             lang: str = "nl-BE", autoplay: bool = False, probe: bool = False) -> Browser:
        b = Browser(new_chromium(width=width, height=height, lang=lang, autoplay=autoplay, probe=probe), name)
        made.append(b)
        b.viewport(width, height, mobile=mobile)
        return b

    yield make
    problems = []
    for b in made:
        try:
            bad = b.console_errors()
            if bad:
                problems.append(f"{b.name}: " + "\n  ".join(bad))
        finally:
            try:
                b.driver.quit()
            except Exception:
                pass
    if problems and not getattr(request.node, "_console_reported", False):
        rep = getattr(request.node, "rep_call", None)
        if rep is None or rep.passed:
            pytest.fail("console errors left unchecked:\n" + "\n".join(problems), pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call = rep


# --------------------------------------------------------------------------------- page helpers

FIRST_FREE_DAY_JS = ("const b = document.querySelector('#cal-body button.day:not([disabled])');"
                     " return b && b.dataset.date")


def book_to_form(b: Browser, query: str, *, shot: str | None = None) -> dict:
    """On /book: search, pick eid-aanvraag at stadhuis, the first free day and time; ends on the form.
    shot: a name prefix to take a full-page screenshot of each step. Returns {day, time}."""
    b.tid("view-search")
    b.tid("service-search").send_keys(query)
    b.tid(f"service-{SERVICE}")
    if shot:
        b.shot(f"{shot}-1-search", full=True)
    b.click(f"service-{SERVICE}")
    b.tid("view-details")
    b.click(f"location-{LOCATION}")
    if shot:
        b.shot(f"{shot}-2-details", full=True)
    b.click("btn-to-calendar")
    b.tid("view-calendar")
    day = b.wait(15).until(lambda d: d.execute_script(FIRST_FREE_DAY_JS), "no day with free times in the calendar")
    b.click(f"day-{day}")
    b.tid("times")
    hm = b.css("#times .time-btn").text
    if shot:
        b.shot(f"{shot}-3-calendar", full=True)
    b.click(f"slot-{hm}")
    b.tid("view-form")
    return {"day": day, "time": hm}


# --------------------------------------------------------------------------------- axe-core


def axe_script() -> str:
    """axe-selenium-python 2.1.6 (the last release for Python < 3.12) bundles axe-core 3.1.1 (2018),
    which knows no WCAG 2.1/2.2 rules. selenium-axe-python ships axe-core 4.9 (wcag21aa, wcag22aa);
    when it is installed, axe-selenium-python injects that one instead."""
    try:
        import selenium_axe_python

        newer = Path(selenium_axe_python.__file__).parent / "axe-core" / "axe.min.js"
        if newer.is_file():
            return str(newer)
    except ImportError:
        pass
    import axe_selenium_python

    return str(Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js")


AXE_FINDINGS: list[str] = []   # printed at the end of the run (pytest_terminal_summary)


def pytest_terminal_summary(terminalreporter):
    if AXE_FINDINGS:
        terminalreporter.section("axe-core findings (WCAG 2.0/2.1/2.2 A and AA)")
        for line in AXE_FINDINGS:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def axe_run():
    """axe_run(browser, label) -> list of violations (all impacts), printed; WCAG A/AA tags only."""
    from axe_selenium_python import Axe

    script = axe_script()

    def run(b: Browser, label: str, *, exclude: list[str] | None = None, record: bool = True) -> list[dict]:
        axe = Axe(b.driver, script_url=script)
        axe.inject()
        version = b.driver.execute_script("return window.axe && axe.version")
        options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
        context = None
        if exclude:
            context = {"exclude": [[sel] for sel in exclude]}
        if context is None:
            res = axe.run(options=options)
        else:
            # Axe.run formats context with %r; JSON is valid JavaScript here.
            res = b.driver.execute_async_script(
                "var cb = arguments[arguments.length - 1]; axe.run(%s, %s).then(r => cb(r))"
                % (json.dumps(context), options))
        violations = res["violations"]
        incomplete = sorted({v["id"] for v in res.get("incomplete", [])})
        lines = [f"[axe-core {version}] {label}: {len(violations)} violation(s), {len(res.get('passes', []))} rules "
                 f"passed" + (f", needs review: {', '.join(incomplete)}" if incomplete else "")]
        for v in violations:
            wcag = ", ".join(t for t in v["tags"] if t.startswith("wcag"))
            lines.append(f"  - {v['id']} ({v['impact']}): {v['help']} [{wcag}]")
            for node in v["nodes"][:8]:
                summary = " ".join(x.strip() for x in node.get("failureSummary", "").splitlines()[1:])
                lines.append(f"      {' '.join(node['target'])}: {summary[:300]}")
            if len(v["nodes"]) > 8:
                lines.append(f"      … and {len(v['nodes']) - 8} more")
        for v in res.get("incomplete", []):
            for node in v["nodes"][:3]:
                summary = " ".join(x.strip() for x in node.get("failureSummary", "").splitlines()[1:])
                lines.append(f"      review {v['id']}: {' '.join(node['target'])}: {summary[:200]}")
        print("\n" + "\n".join(lines))
        if violations and record:
            AXE_FINDINGS.extend(lines)
        return violations

    return run


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['impact']}) on {', '.join(' '.join(n['target']) for n in v['nodes'][:5])}"
                     for v in violations)
