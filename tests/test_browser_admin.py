"""The admin page /admin in headless Chromium: sign-in with an admin token (a clerk token gets a
clear refusal), axe-core in nl and en, translated headings in fr and de, the closure form's own
checks and its time-zone arithmetic.

`TestAdminFlows` drives the closure, waitlist and reload flows against their APIs
(POST/GET/DELETE /api/v1/admin/closures, GET /api/v1/admin/waitlist, POST /api/v1/admin/reload,
POST /api/v1/waitlist) on a server of its own (own database, own copy of config/ that the reload
test breaks and mends), so the shared session server keeps its queue and calendar.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from datetime import datetime, timezone

import pytest
from selenium.webdriver.support.ui import Select

import conftest
from conftest import LOCATION, SERVE_CLOCK, SERVICE, Browser, LoketServer, Site, describe, tr

pytestmark = pytest.mark.browser

LANGS = ("nl", "fr", "en", "de")
ADMIN_NAME = "browser-admin"


def plural(i18n, lang: str, key: str, n: int) -> str:
    """i18n.js's tn(): Intl plural rules say "one" for 1 in nl, en and de, and for 0 and 1 in fr."""
    entry = tr(i18n, lang, key)
    one = n in (0, 1) if lang == "fr" else n == 1
    text = entry["one"] if one and "one" in entry else entry["other"]
    return text.replace("{n}", str(n))


def before(template: str) -> str:
    return template.split("{", 1)[0]


def admin_token(site) -> str:
    return site.token("admin", ADMIN_NAME)


def open_admin(b: Browser, site, lang: str | None = None):
    b.get(site.page("/admin" + (f"?lang={lang}" if lang else "")))


def sign_in(b: Browser, site, token: str, *, remember: bool = False, lang: str | None = None):
    open_admin(b, site, lang)
    b.tid("view-signin")
    b.tid("token-input").send_keys(token)
    if remember:
        b.click("remember")
    b.click("btn-sign-in")


def wait_loaded(b: Browser, *sections: str):
    """Until each section's state line says it is no longer loading (ready, empty or error)."""
    for s in sections or ("closures", "waitlist", "outbox"):
        b.wait(15).until(lambda d, s=s: d.execute_script(
            "const el = document.querySelector(`[data-testid='${arguments[0]}-state']`);"
            " return el && el.dataset.state && el.dataset.state !== 'loading'", s),
            f"the {s} section never finished loading")


def section_state(b: Browser, section: str) -> str:
    return b.driver.execute_script(
        "return document.querySelector(`[data-testid='${arguments[0]}-state']`).dataset.state", section)


def allow_missing_apis(b: Browser, site, token: str):
    """Before the closures, waitlist and stats range APIs are merged in, their 404s are expected in the console
    (the sections then show their error state); once the APIs exist, nothing is allowed."""
    for path in ("/admin/closures", "/admin/waitlist"):
        if site.api("GET", f"{path}?location={LOCATION}", token=token).status_code == 404:
            b.allow_console(re.escape(f"/api/v1{path}?location={LOCATION}") + r" - Failed to load resource: .* 404")
    # The dashboard's history (GET /stats/range, another branch) loads with the location.
    if site.api("GET", f"/stats/range?from=2026-12-01&to=2026-12-01&location={LOCATION}", token=token).status_code == 404:
        b.allow_console(r"/api/v1/stats/range\?\S* - Failed to load resource: .* 404")


def set_input(b: Browser, testid: str, value: str):
    """Date and time inputs take typed keys in the browser's locale order; set the value instead."""
    b.driver.execute_script(
        "const el = document.querySelector(`[data-testid='${arguments[0]}']`); el.value = arguments[1];"
        " el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));",
        testid, value)


def active_testid(b: Browser) -> str:
    return b.driver.execute_script("const a = document.activeElement; return a && (a.dataset.testid || a.id)")


# ------------------------------------------------------------------------------ sign-in


def test_admin_signs_in_remembers_and_signs_out(server, browser, i18n):
    token = admin_token(server)
    b = browser("admin-signin", 1366, 768)
    allow_missing_apis(b, server, token)
    sign_in(b, server, token, remember=True)
    b.tid("view-admin")
    assert b.wait_text("who-name", ADMIN_NAME)
    assert active_testid(b) == "admin-title", "focus should move to the page's heading after sign-in"
    assert not b.visible("view-signin")
    assert b.local_storage().get("loket.admin.token") == token
    options = [o.get_attribute("value") for o in Select(b.tid("select-location")).options]
    assert LOCATION in options
    b.wait_text("zone-note", lambda s: "Europe/Brussels" in s, what="the location's time zone")
    wait_loaded(b)
    # The outbox API exists already: on this server no mail failed.
    assert section_state(b, "outbox") == "empty"
    assert b.text_of("outbox-state") == tr(i18n, "nl", "admin.outbox.empty")

    # Remembered: a new visit goes straight in.
    open_admin(b, server)
    b.tid("view-admin")
    b.click("btn-sign-out")
    b.tid("view-signin")
    assert "loket.admin.token" not in b.local_storage()
    assert b.driver.execute_script("return sessionStorage.getItem('loket.admin.token')") is None
    open_admin(b, server)
    b.tid("view-signin")
    assert not b.visible("view-admin")
    b.assert_no_console_errors()


def test_clerk_token_is_refused_with_a_clear_message(server, clerk_token, browser, i18n):
    b = browser("admin-clerk", 1366, 768)
    sign_in(b, server, clerk_token)
    b.wait_text("signin-error", tr(i18n, "nl", "admin.signIn.wrongRole"))
    assert not b.visible("view-admin")
    assert b.tid("token-input").get_attribute("aria-invalid") == "true"
    assert active_testid(b) == "token-input"
    assert "loket.admin.token" not in b.local_storage()
    assert b.driver.execute_script("return sessionStorage.getItem('loket.admin.token')") is None
    # The API agrees: a clerk token may not read admin data.
    assert server.get("/admin/outbox?status=failed", token=clerk_token).status_code == 403

    # A clerk token left over in storage is refused the same way on the next visit.
    b.driver.execute_script("localStorage.setItem('loket.admin.token', arguments[0])", clerk_token)
    open_admin(b, server, "en")
    b.wait_text("signin-error", tr(i18n, "en", "admin.signIn.wrongRole"))
    assert "loket.admin.token" not in b.local_storage()

    b.tid("token-input").send_keys("not-a-real-token")
    b.click("btn-sign-in")
    b.wait_text("signin-error", tr(i18n, "en", "admin.signIn.invalid"))
    b.assert_no_console_errors(allow=[r"/api/v1/me - Failed to load resource: .* 401"])


# ------------------------------------------------------------------------------ accessibility and languages


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_axe_finds_no_violations(lang, server, clerk_token, browser, axe_run):
    token = admin_token(server)
    b = browser(f"admin-axe-{lang}", 1366, 768)
    open_admin(b, server, lang)
    b.tid("view-signin")
    found = axe_run(b, f"admin-signin-{lang}")
    assert not found, describe(found)
    b.tid("token-input").send_keys(clerk_token)
    b.click("btn-sign-in")
    b.tid("signin-error")
    found = axe_run(b, f"admin-signin-refused-{lang}")
    assert not found, describe(found)

    allow_missing_apis(b, server, token)
    b.tid("token-input").send_keys(token)
    b.click("btn-sign-in")
    b.tid("view-admin")
    wait_loaded(b)
    b.shot(f"admin-{lang}", full=True)
    found = axe_run(b, f"admin-{lang}")
    assert not found, describe(found)

    # The form's own error state (the end before the start).
    set_input(b, "from-date", "2026-12-02")
    set_input(b, "from-time", "12:00")
    set_input(b, "to-date", "2026-12-02")
    set_input(b, "to-time", "09:00")
    b.click("btn-check")
    b.tid("to-error")
    found = axe_run(b, f"admin-form-errors-{lang}")
    assert not found, describe(found)
    b.assert_no_console_errors()


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_headings_in_language(lang, server, browser, i18n):
    token = admin_token(server)
    T = lambda key: tr(i18n, lang, key)  # noqa: E731
    b = browser(f"admin-{lang}", 1366, 768)
    open_admin(b, server, lang)
    b.tid("view-signin")
    b.wait(5).until(lambda d: d.execute_script("return document.documentElement.lang") == lang)
    assert b.css("#signin-title").text == T("admin.signIn.title")
    assert b.css("label[for=token-input]").text == T("admin.signIn.label")
    allow_missing_apis(b, server, token)
    b.tid("token-input").send_keys(token)
    b.click("btn-sign-in")
    b.tid("view-admin")
    wait_loaded(b)
    assert b.driver.title == T("admin.pageTitle")
    assert b.css("#admin-title").text == T("admin.title")
    assert b.css("#closures-title").text == T("admin.closures.title")
    assert b.css("#closure-add-title").text == T("admin.closures.add")
    assert b.css("#waitlist-title").text == T("admin.waitlist.title")
    assert b.css("#outbox-title").text == T("admin.outbox.title")
    assert b.css("#reload-title").text == T("admin.reload.title")
    assert b.text_of("btn-check") == T("admin.closures.check")
    assert b.text_of("btn-reload") == T("admin.reload.button")
    assert b.text_of("outbox-state") == T("admin.outbox.empty")
    assert b.tid(f"lang-{lang}").get_attribute("aria-pressed") == "true"
    nl_title = tr(i18n, "nl", "admin.closures.title")
    assert T("admin.closures.title") != nl_title

    # Switching language re-draws the page at once.
    b.click("lang-nl")
    b.wait(5).until(lambda d: d.find_element("css selector", "#closures-title").text == nl_title)
    b.assert_no_console_errors()


def test_closure_form_checks_before_asking_the_server(server, browser, i18n):
    """An end before the start, or a negative number of desks, is said at the field, with a
    summary that takes focus; no dry run is sent."""
    token = admin_token(server)
    b = browser("admin-form", 1366, 768)
    allow_missing_apis(b, server, token)
    sign_in(b, server, token)
    b.tid("view-admin")
    wait_loaded(b)
    sent = b.driver.execute_script("""
        window.__posts = 0; const f = window.fetch;
        window.fetch = (u, o) => { if (o && o.method === 'POST') window.__posts++; return f(u, o); };
        return true""")
    assert sent
    set_input(b, "from-date", "2026-12-02")
    set_input(b, "from-time", "12:00")
    set_input(b, "to-date", "2026-12-02")
    set_input(b, "to-time", "09:00")
    set_input(b, "desks", "-1")
    b.click("btn-check")
    assert b.wait_text("to-error", tr(i18n, "nl", "admin.closures.errOrder"))
    assert b.wait_text("desks-error", tr(i18n, "nl", "admin.closures.errDesks"))
    assert b.tid("to-time").get_attribute("aria-invalid") == "true"
    assert b.tid("desks").get_attribute("aria-invalid") == "true"
    assert b.tid("from-date").get_attribute("aria-invalid") == "false"
    assert active_testid(b) == "closure-errors"
    assert not b.visible("dryrun")
    assert b.driver.execute_script("return window.__posts") == 0
    b.assert_no_console_errors()


def test_failed_mail_is_listed_without_address_or_name(browser, i18n, tmp_path):
    """A mail server that refuses the address (550): the message ends as failed, and the page
    lists it by kind, reference, attempts and the server's answer, never the address or name."""
    from test_mail import Server, Sink   # the real SMTP sink and a server that sends to it

    sink = Sink(tmp_path / "mail", "--reject-rcpt", "550")
    srv = Server(tmp_path / "loket.sqlite", sink.port, tmp_path / "loket.log")
    try:
        booked = srv.book(srv.slots()[0], name="Zoë Geheim", email_address="geheim@example.be")
        token = conftest.make_token(srv.db, "admin", ADMIN_NAME)
        failed = []
        for _ in range(60):
            failed = srv.api("GET", "/admin/outbox?status=failed", token=token).json()
            if failed:
                break
            time.sleep(0.3)
        assert [f["reference"] for f in failed] == [booked["reference"]], failed
        b = browser("admin-outbox", 1366, 900)
        allow_missing_apis(b, srv, token)
        b.get(f"{srv.url}/admin")
        b.tid("token-input").send_keys(token)
        b.click("btn-sign-in")
        b.tid("view-admin")
        wait_loaded(b)
        assert section_state(b, "outbox") == "ready"
        row = b.tid(f"outbox-{failed[0]['id']}").text
        assert booked["reference"] in row
        assert tr(i18n, "nl", "admin.outbox.kinds.booked") in row
        assert "550" in row
        body = b.body_text()
        assert "geheim@example.be" not in body and "Zoë Geheim" not in body
        b.assert_no_console_errors()
    finally:
        srv.stop()
        sink.stop()


def test_instants_are_built_in_the_locations_zone(server, browser):
    """Date + time in Europe/Brussels become ISO instants with the right offset, also on the days
    the clocks change (a skipped wall time moves on by the gap)."""
    b = browser("admin-zone", 1024, 768)
    open_admin(b, server)
    b.tid("view-signin")
    got = b.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/static/js/admin.js').then((m) => done([
          m.zonedIso('2026-12-01', '09:30', 'Europe/Brussels'),
          m.zonedIso('2026-07-01', '09:30', 'Europe/Brussels'),
          m.zonedIso('2026-03-29', '01:30', 'Europe/Brussels'),
          m.zonedIso('2026-03-29', '02:30', 'Europe/Brussels'),
          m.zonedIso('2026-03-29', '03:30', 'Europe/Brussels'),
          m.zonedIso('2026-10-25', '03:30', 'Europe/Brussels'),
          m.zonedIso('2026-12-01', '09:30', 'America/New_York'),
          m.zonedIso('2026-12-01', '', 'Europe/Brussels'),
          m.zonedIso('2026-13-01', '09:30', 'Europe/Brussels'),
        ])).catch((e) => done(String(e)));""")
    assert got == [
        "2026-12-01T09:30:00+01:00",
        "2026-07-01T09:30:00+02:00",
        "2026-03-29T01:30:00+01:00",   # 2026-03-29 is the last Sunday of March
        "2026-03-29T03:30:00+02:00",   # 02:30 does not exist that night
        "2026-03-29T03:30:00+02:00",
        "2026-10-25T03:30:00+01:00",
        "2026-12-01T09:30:00-05:00",
        None,
        None,
    ], got


# ------------------------------------------------------------------------------ the flows (need the admin APIs)

FLOW_CANCEL_DAY = "2026-12-02"   # a Wednesday: two appointments, closed and cancelled on the page
FLOW_KEEP_DAY = "2026-12-03"     # a Thursday: one appointment, closed and kept
FLOW_EMPTY_DAY = "2026-12-04"    # a Friday: nothing booked
FLOW_WAIT_DAY = "2026-12-08"     # a Tuesday: two people join the waitlist for it
FLOW_LIFT_DAY = "2026-12-10"     # a Thursday: closed through the API, lifted on the page


@contextlib.contextmanager
def config_dir(path):
    """LoketServer and make_token read conftest.CONFIG; point it at a copy for this server."""
    old = conftest.CONFIG
    conftest.CONFIG = path
    try:
        yield
    finally:
        conftest.CONFIG = old


@pytest.fixture(scope="module")
def flows(loket_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("loket-admin")
    cfg = tmp / "config"
    shutil.copytree(conftest.CONFIG, cfg)
    db = tmp / "db.sqlite"
    with config_dir(cfg):
        srv = LoketServer(db, SERVE_CLOCK, tmp / "serve.log")
    site = Site(srv, db)
    site.config = cfg
    yield site
    srv.stop()


def book(site, day: str, count: int, tag: str) -> list[dict]:
    slots = site.get(f"/availability?service={SERVICE}&location={LOCATION}&from={day}&to={day}", expect=200).json()["slots"]
    assert len(slots) >= count, f"not enough free slots on {day}: {slots[:3]}"
    out = []
    for i in range(count):
        body = {"service": SERVICE, "location": LOCATION, "start": slots[i * 3 % len(slots)]["start"], "persons": 1,
                "name": f"Privé Persoon {tag}{i}", "email": f"admin-{tag}{i}@example.be", "lang": "nl"}
        out.append(site.post("/appointments", json=body, expect=201).json())
    return out


def day_range(day: str, next_day: str) -> tuple[str, str]:
    return f"{day}T00:00:00+01:00", f"{next_day}T00:00:00+01:00"


def fill_closure(b: Browser, day: str, next_day: str, *, reason: str = "", desks: str = "0"):
    set_input(b, "from-date", day)
    set_input(b, "from-time", "00:00")
    set_input(b, "to-date", next_day)
    set_input(b, "to-time", "00:00")
    set_input(b, "desks", desks)
    if reason:
        set_input(b, "reason", reason)


def closures(site, token) -> list[dict]:
    return site.get(f"/admin/closures?location={LOCATION}", token=token, expect=200).json()


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(timezone.utc)


def appointment_status(site, a: dict) -> str:
    return site.get(f"/appointments/{a['reference']}?token={a['manageToken']}", expect=200).json()["status"]


def signed_in(b: Browser, site):
    """Signed in with the location chosen and its sections loaded. Each flow test needs only the
    API it drives: another one not merged yet (a 404) leaves its section in the error state."""
    allow_missing_apis(b, site, admin_token(site))
    sign_in(b, site, admin_token(site))
    b.tid("view-admin")
    Select(b.tid("select-location")).select_by_value(LOCATION)
    wait_loaded(b)


class TestAdminFlows:
    """Closures, waitlist and reload end to end, on a server of their own."""

    def test_dry_run_lists_the_affected_then_cancel(self, flows, browser, i18n, axe_run):
        token = admin_token(flows)
        booked = book(flows, FLOW_CANCEL_DAY, 2, "c")
        name = flows.get(f"/services/{SERVICE}?lang=nl", expect=200).json()["name"]
        b = browser("admin-cancel", 1366, 900)
        signed_in(b, flows)
        fill_closure(b, FLOW_CANCEL_DAY, "2026-12-03", reason="Stroomonderbreking")
        b.click("btn-check")
        title = b.wait_text("dryrun-title", plural(i18n, "nl", "admin.closures.affected", 2))
        assert title
        assert active_testid(b) == "dryrun-title", "focus should move to the dry run's result"
        b.wait(5).until(lambda d: b.present("live").get_attribute("textContent") == b.text_of("dryrun-summary") != "",
                        "the live region never said the dry run's result")
        for a in booked:
            row = b.tid(f"affected-{a['reference']}").text
            assert a["reference"] in row and name in row, row
            assert re.search(r"\b" + re.escape(a["start"][11:16]) + r"\b", row), (a["start"], row)
            assert "Privé Persoon" not in row and "@" not in row
        assert b.text_of("btn-close-cancel") == plural(i18n, "nl", "admin.closures.closeCancel", 2)
        assert b.visible("btn-close-keep") and not b.visible("btn-close-plain")
        # Only a check: nothing is closed and nobody is cancelled yet.
        assert closures(flows, token) == []
        assert [appointment_status(flows, a) for a in booked] == ["booked", "booked"]
        found = axe_run(b, "admin-dryrun")
        assert not found, describe(found)
        b.shot("admin-dryrun", full=True)

        b.click("btn-close-cancel")
        msg = b.wait_text("admin-message", lambda s: s.startswith(before(tr(i18n, "nl", "admin.closures.done"))),
                          what="the closure's confirmation")
        assert plural(i18n, "nl", "admin.closures.doneCancelled", 2) in msg
        assert active_testid(b) == "admin-message"
        assert not b.visible("dryrun")
        assert [appointment_status(flows, a) for a in booked] == ["cancelled", "cancelled"]
        [c] = closures(flows, token)
        start, end = day_range(FLOW_CANCEL_DAY, "2026-12-03")
        assert instant(c["from"]) == instant(start) and instant(c["to"]) == instant(end)
        assert c["desks"] == 0
        assert c["reason"]["nl"] == c["reason"]["fr"] == c["reason"]["en"] == c["reason"]["de"] == "Stroomonderbreking"
        row = b.tid(f"closure-{c['id']}").text
        assert "Stroomonderbreking" in row and tr(i18n, "nl", "admin.closures.closed") in row
        assert c["affected"] == "cancel" and tr(i18n, "nl", "admin.closures.choice.cancel") in row
        b.assert_no_console_errors()

    def test_keep_leaves_the_appointments(self, flows, browser, i18n):
        token = admin_token(flows)
        [a] = book(flows, FLOW_KEEP_DAY, 1, "k")
        b = browser("admin-keep", 1366, 900)
        signed_in(b, flows)
        fill_closure(b, FLOW_KEEP_DAY, "2026-12-04")
        b.click("btn-check")
        b.wait_text("dryrun-title", plural(i18n, "nl", "admin.closures.affected", 1))
        b.tid(f"affected-{a['reference']}")
        b.click("btn-close-keep")
        msg = b.wait_text("admin-message", lambda s: plural(i18n, "nl", "admin.closures.doneKept", 1) in s,
                          what="kept (logged)")
        assert msg
        assert appointment_status(flows, a) == "booked"
        kept = [c for c in closures(flows, token) if instant(c["from"]) == instant(f"{FLOW_KEEP_DAY}T00:00:00+01:00")]
        assert len(kept) == 1 and kept[0]["desks"] == 0 and kept[0]["affected"] == "keep"
        assert tr(i18n, "nl", "admin.closures.choice.keep") in b.tid(f"closure-{kept[0]['id']}").text
        b.assert_no_console_errors()

    def test_nothing_affected_just_closes_and_an_overlap_is_explained(self, flows, browser, i18n):
        token = admin_token(flows)
        b = browser("admin-empty", 1366, 900)
        signed_in(b, flows)
        fill_closure(b, FLOW_EMPTY_DAY, "2026-12-05")
        b.click("btn-check")
        b.wait_text("dryrun-title", tr(i18n, "nl", "admin.closures.noneAffected"))
        assert not b.visible("btn-close-cancel") and not b.visible("btn-close-keep")
        assert not b.visible("dryrun-table")
        b.click("btn-close-plain")
        b.wait_text("admin-message", lambda s: s.startswith(before(tr(i18n, "nl", "admin.closures.done"))))
        assert any(instant(c["from"]) == instant(f"{FLOW_EMPTY_DAY}T00:00:00+01:00") for c in closures(flows, token))

        # The same period again: the page says why it cannot be closed twice.
        fill_closure(b, FLOW_EMPTY_DAY, "2026-12-05")
        b.click("btn-check")
        b.wait(10).until(lambda d: b.visible("dryrun") or b.visible("admin-message") and
                         b.text_of("admin-message") == tr(i18n, "nl", "admin.err.closureOverlap"))
        if b.visible("dryrun"):
            b.click("btn-close-plain")
        b.wait_text("admin-message", tr(i18n, "nl", "admin.err.closureOverlap"))
        b.assert_no_console_errors(allow=[r"/api/v1/admin/closures - Failed to load resource: .* 409"])

    def test_lift_after_confirming(self, flows, browser, i18n):
        token = admin_token(flows)
        start, end = day_range(FLOW_LIFT_DAY, "2026-12-11")
        made = flows.post("/admin/closures", token=token, json={"location": LOCATION, "from": start, "to": end, "desks": 2},
                          expect=201).json()
        b = browser("admin-lift", 1366, 900)
        signed_in(b, flows)
        assert plural(i18n, "nl", "admin.closures.fewerDesks", 2) in b.tid(f"closure-{made['id']}").text
        b.click(f"btn-lift-{made['id']}")
        b.tid("lift-dialog")
        assert b.text_of("lift-text")
        b.click("lift-cancel")   # a second thought: nothing happens, focus goes back to the button
        b.wait(5).until(lambda d: not b.visible("lift-dialog"))
        assert any(c["id"] == made["id"] for c in closures(flows, token))
        b.wait(5).until(lambda d: active_testid(b) == f"btn-lift-{made['id']}")

        b.click(f"btn-lift-{made['id']}")
        b.click("lift-confirm")
        b.wait_text("admin-message", lambda s: s.startswith(before(tr(i18n, "nl", "admin.lift.done"))))
        b.wait(10).until(lambda d: b.present(f"closure-{made['id']}") is None, "the lifted closure stays listed")
        assert all(c["id"] != made["id"] for c in closures(flows, token))
        b.assert_no_console_errors()

    def test_waitlist_grouped_per_service_without_personal_data(self, flows, browser, i18n):
        token = admin_token(flows)
        for i in range(2):
            flows.post("/waitlist", json={"service": SERVICE, "location": LOCATION, "from": FLOW_WAIT_DAY,
                                          "to": FLOW_WAIT_DAY, "persons": 1, "email": f"wacht{i}@example.be",
                                          "name": f"Wachtende Burger {i}", "lang": "nl"}, expect=201)
        name = flows.get(f"/services/{SERVICE}?lang=nl", expect=200).json()["name"]

        def entries():
            return [e for e in flows.get(f"/admin/waitlist?location={LOCATION}", token=token, expect=200).json()
                    if e["service"] == SERVICE]

        def counts(mine):
            waiting = sum(1 for e in mine if e["status"] == "waiting")
            offers = sum(1 for e in mine if e.get("offer"))
            return (f"{plural(i18n, 'nl', 'admin.waitlist.waiting', waiting)} · "
                    f"{plural(i18n, 'nl', 'admin.waitlist.offers', offers)}")

        assert len(entries()) == 2
        b = browser("admin-waitlist", 1366, 900)
        signed_in(b, flows)
        group = b.tid(f"waitlist-service-{SERVICE}")
        assert name in group.text
        # The day has free time, so the waitlist's round may offer it meanwhile: the page agrees
        # with the list as it is once it has loaded it again.
        for _ in range(10):
            mine = entries()
            page = b.text_of(f"waitlist-count-{SERVICE}")
            if page == counts(mine) and mine == entries():
                break
            b.click("btn-waitlist-refresh")
            wait_loaded(b, "waitlist")
        else:
            pytest.fail(f"the page's counts {page!r} never matched the API's {counts(mine)!r}")
        for e in mine:
            row = b.tid(f"waitlist-entry-{e['id']}").text
            if e.get("offer"):
                assert before(tr(i18n, "nl", "admin.waitlist.expires")) in row, row
        body = b.body_text()
        assert "Wachtende Burger" not in body and "wacht0@" not in body and "wacht1@" not in body
        b.assert_no_console_errors()

    def test_reload_lists_each_config_error_and_keeps_the_old_config(self, flows, browser, i18n):
        token = admin_token(flows)
        path = flows.config / "locations.yaml"
        original = path.read_text("utf-8")
        lines = original.splitlines(keepends=True)
        line_no = next(i for i, ln in enumerate(lines) if "timeZone: Europe/Brussels" in ln)
        lines[line_no] = lines[line_no].replace("Europe/Brussels", "Mars/Olympus")
        b = browser("admin-reload", 1366, 900)
        signed_in(b, flows)
        try:
            path.write_text("".join(lines), "utf-8")
            b.click("btn-reload")
            b.tid("reload-result")
            b.wait_text("reload-summary", lambda s: s.startswith(before(tr(i18n, "nl", "admin.reload.failed")["other"])),
                        what="the reload failed")
            items = [el.text for el in b.driver.find_elements("css selector", "[data-testid=reload-error]")]
            assert items, "no error listed"
            assert all(re.match(r"^\S+:\d+:\d+ \S", x) for x in items), items
            assert any(re.search(rf"locations\.yaml:{line_no + 1}:\d+ .*Mars/Olympus", x) for x in items), items
            assert active_testid(b) == "reload-result"
            b.wait(5).until(lambda d: b.present("live").get_attribute("textContent") == b.text_of("reload-summary"))
            # The old config is still in force.
            stadhuis = next(l for l in flows.get("/locations", expect=200).json() if l["id"] == LOCATION)
            assert stadhuis["timeZone"] == "Europe/Brussels"
        finally:
            path.write_text(original, "utf-8")
        b.click("btn-reload")
        b.wait_text("reload-summary", lambda s: s.startswith(tr(i18n, "nl", "admin.reload.done")), what="reloaded")
        assert not b.visible("reload-errors")
        b.assert_no_console_errors(allow=[r"/api/v1/admin/reload - Failed to load resource: .* 422"])
