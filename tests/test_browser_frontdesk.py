"""The front desk in real browsers against a live `loket serve`: the kiosk issues a ticket and
checks in an appointment, the counter calls it, the display shows it within a second, and the
ticket status page on a phone follows the call.

The tests run in file order and hand over what they made (`desk`); each one can also run alone,
because it makes what it needs through the API when an earlier test did not.
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import CITIZEN, LOCATION, SERVICE

pytestmark = pytest.mark.browser

TICKET_NUMBER = re.compile(r"^[A-Z]{1,3}\d{3}$")


@pytest.fixture(scope="module")
def desk(server):
    """What the tests of this module pass on: walk-in and check-in tickets, the checked-in appointment."""
    return {"walkin": None, "checkin": None, "appointment": server.appointments[0]}


def finish_current(server, clerk, counter_id):
    """Leaves a counter open and free: finishes whatever ticket it holds."""
    counters = server.get(f"/locations/{LOCATION}/counters", token=clerk, expect=200).json()
    c = next(c for c in counters if c["id"] == counter_id)
    cur = c.get("current")
    if cur and cur.get("status") in ("called", "serving"):
        server.post(f"/tickets/{cur['id']}/finish", token=clerk, expect=200)
    if c.get("state") != "open":
        server.post(f"/counters/{counter_id}/open", token=clerk, expect=200)


def call_until(server, clerk, counter_id, ticket_id, limit=25):
    """call-next on counter_id until ticket_id is called (finishing the others); returns (ticket, t0 of that call)."""
    finish_current(server, clerk, counter_id)
    for _ in range(limit):
        t0 = time.time()
        res = server.post(f"/counters/{counter_id}/call-next", token=clerk, expect=(200, 204))
        assert res.status_code == 200, f"nobody waiting for {counter_id}, {ticket_id} was never called"
        tk = res.json()
        if tk["id"] == ticket_id:
            return tk, t0
        server.post(f"/tickets/{tk['id']}/finish", token=clerk, expect=200)
    pytest.fail(f"{ticket_id} not called after {limit} calls")


# --------------------------------------------------------------------------------------- kiosk


def test_kiosk_issues_ticket_and_checks_in(server, kiosk_token, browser, desk, i18n):
    appt = desk["appointment"]
    b = browser("kiosk-portrait", 1080, 1920)
    b.get(server.page(f"/kiosk/{LOCATION}?setup={kiosk_token}&print=0"))
    b.tid("screen-start")
    # The token is kept in the browser and dropped from the address bar.
    assert "setup=" not in b.driver.current_url and "print=" not in b.driver.current_url, b.driver.current_url
    assert b.local_storage().get(f"loket.kiosk.token.{LOCATION}") == kiosk_token
    assert b.html_lang() == "nl"
    assert b.text_of("location-name") == "Stadhuis Wilgendaal"
    b.shot("kiosk-portrait-start")

    # A walk-in ticket: more than 12 services are open, so a category first.
    if not b.visible(f"service-{SERVICE}"):
        b.click("category-burgerzaken")
        b.tid("screen-category")
        assert b.text_of("category-title") == "Burgerzaken"
        b.shot("kiosk-portrait-category")
    b.click(f"service-{SERVICE}")
    number = b.wait_text("ticket-number", TICKET_NUMBER, what="a ticket number like A001")
    assert number.startswith("A"), number
    assert b.text_of("ticket-service") == "Identiteitskaart (eID) aanvragen"
    assert b.text_of("ticket-position").startswith("Plaats in de rij:")
    qr = b.present("ticket-qr")
    b.wait(5).until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr),
                    "the QR code on the ticket did not load")
    b.shot("kiosk-portrait-ticket")
    tickets = server.get(f"/locations/{LOCATION}/queue", token=server.token("clerk", "browser-clerk"),
                         expect=200).json()["waiting"]
    walkin = next((t for t in tickets if t["number"] == number), None)
    assert walkin, f"{number} is not in the queue: {tickets}"
    desk["walkin"] = walkin

    # Back to the start, then check in the booked appointment by typing its code + Enter.
    b.click("btn-done")
    b.tid("screen-start")
    field = b.click("checkin-input")
    b.tid("keyboard")   # the on-screen keyboard opens with the field
    field.send_keys(appt.reference.replace("-", "").lower(), Keys.ENTER)   # as a scanner or a person types it
    cnumber = b.wait_text("ticket-number", TICKET_NUMBER, what="a ticket number")
    assert cnumber != number
    assert b.css("#ticket-heading").text == i18n["nl"]["kiosk"]["ticket"]["checkedIn"]
    assert b.text_of("ticket-service") == "Identiteitskaart (eID) aanvragen"
    # The kiosk never shows the citizen's name.
    assert "Peeters" not in b.body_text()
    b.shot("kiosk-portrait-checkin-ticket")
    a = server.get(f"/appointments/{appt.reference}?token={appt.manage_token}", expect=200).json()
    assert a["status"] == "checked-in", a
    queue = server.get(f"/locations/{LOCATION}/queue", token=server.token("clerk", "browser-clerk"),
                       expect=200).json()["waiting"]
    checkin = next((t for t in queue if t["number"] == cnumber), None)
    assert checkin and checkin.get("origin") == "appointment", queue
    desk["checkin"] = checkin

    # The same start screen in landscape.
    b.click("btn-done")
    b.tid("screen-start")
    b.viewport(1920, 1080)
    b.shot("kiosk-landscape-start")
    b.assert_no_console_errors()


@pytest.mark.parametrize("size", [
    pytest.param((1080, 1920), id="portrait"),
    pytest.param((1920, 1080), id="landscape"),
])
def test_kiosk_keyboard_fits_on_screen(size, server, kiosk_token, browser):
    """A touch kiosk cannot expect people to scroll: every key of the on-screen keyboard is on screen."""
    w, h = size
    b = browser(f"kiosk-keyboard-{w}x{h}", w, h)
    b.get(server.page(f"/kiosk/{LOCATION}?setup={kiosk_token}&print=0"))
    b.tid("category-burgerzaken")
    b.present("checkin-input").click()   # a tap, without scrolling anything into view first
    b.tid("keyboard")
    b.shot(f"kiosk-keyboard-{w}x{h}")
    off = b.driver.execute_script("""
        return [...document.querySelectorAll('#keyboard .osk-key')]
          .filter((k) => { const r = k.getBoundingClientRect(); return r.top < 0 || r.bottom > innerHeight; })
          .map((k) => k.dataset.key);""")
    b.assert_no_console_errors()
    assert not off, f"keys outside the {w}x{h} screen: {' '.join(off)}"


# --------------------------------------------------------------------------------------- counter


def ensure_desk(server, desk):
    """When the kiosk test did not run: a walk-in ticket and a checked-in appointment through the API."""
    kiosk = server.token("kiosk", "browser-kiosk")
    if not desk["walkin"]:
        desk["walkin"] = server.issue_ticket()
    if not desk["checkin"]:
        appt = desk["appointment"]
        desk["checkin"] = server.post("/checkins", token=kiosk, json={"reference": appt.reference}, expect=201).json()


def test_counter_calls_and_display_shows(server, clerk_token, browser, desk):
    ensure_desk(server, desk)
    wanted = {desk["walkin"]["number"]: "walkin", desk["checkin"]["number"]: "checkin"}

    # The lobby display is already open before the first call.
    d = browser("display", 1920, 1080, autoplay=True, probe=True)
    d.get(server.page(f"/display/{LOCATION}?sound=auto"))
    d.wait_text("location-name", "Stadhuis Wilgendaal")
    d.wait(10).until(lambda drv: drv.execute_script("return window.__probe.sseOpen") >= 1,
                     "the display never opened its event stream")

    c = browser("counter", 1366, 768)
    c.get(server.page("/counter"))
    c.tid("view-signin")
    c.shot("counter-signin")
    c.tid("token-input").send_keys(clerk_token)
    c.click("btn-sign-in")
    c.tid("view-desk")
    assert c.text_of("who-name") == "browser-clerk"
    assert c.driver.execute_script("return sessionStorage.getItem('loket.clerk.token')") == clerk_token
    Select(c.tid("select-location")).select_by_value(LOCATION)
    c.wait(10).until(lambda drv: any(o.get_attribute("value") == "stadhuis-1"
                                     for o in Select(c.present("select-counter")).options),
                     "counter stadhuis-1 never offered")
    Select(c.present("select-counter")).select_by_value("stadhuis-1")
    if c.text_of("counter-state") != "open":
        c.click("btn-open")
    c.wait_text("counter-state", "open")
    if c.visible("current-ticket"):      # a ticket left over by another test
        c.click("btn-finish")
        c.tid("current-empty")

    called = {}
    for _ in range(12):
        if len(called) == len(wanted):
            break
        d.driver.execute_script("window.__probe.numbers = []")
        t0 = time.time()
        c.click("btn-call-next")
        number = c.wait_text("current-ticket-number", TICKET_NUMBER)
        # The display shows it within a second of the click.
        d.wait_text("current-number", number, timeout=5)
        seen = d.driver.execute_script(
            "return (window.__probe.numbers.find(n => n.text === arguments[0]) || {}).t", number)
        assert seen, "the display's number changed without the probe noticing"
        latency = seen / 1000 - t0
        assert latency < 1.0, f"the display showed {number} {latency:.3f}s after the click"
        assert d.text_of("current-counter") == "1"
        # The counter's own queue list drops the called ticket (live refresh after the call).
        c.wait(3).until(lambda drv: c.present(f"queue-ticket-{number}") is None,
                        f"{number} still listed as waiting on the counter page after it was called")
        if number in wanted:
            called[number] = latency
            if wanted[number] == "checkin":
                appt = desk["appointment"]
                c.tid("appointment-details")
                assert c.text_of("appointment-name") == CITIZEN
                assert c.text_of("appointment-reference") == appt.reference
                assert c.text_of("appointment-email") == appt.email
                assert c.text_of("current-ticket-origin") == "afspraak"
                c.shot("counter-called-appointment")
                d.shot("display-called-appointment")
                # The display never shows a citizen's name.
                for drv_text in (d.body_text(), d.driver.page_source):
                    assert "Peeters" not in drv_text and "Zoë" not in drv_text
                disp = server.get(f"/locations/{LOCATION}/display", expect=200).text
                assert "Peeters" not in disp
            else:
                assert not c.visible("appointment-details")
                assert c.text_of("current-ticket-origin") == "kiosk"
                c.shot("counter-called-walkin")
        assert c.text_of("current-ticket-status") == "afgeroepen"
        c.click("btn-finish")
        c.tid("current-empty")
    assert set(called) == set(wanted), f"called {called}, wanted {wanted}"
    print("\ndisplay latency after the counter's click: " + ", ".join(f"{n} {s * 1000:.0f} ms" for n, s in called.items()))
    # The display's history lists the earlier call.
    first = next(iter(called))
    history = [el.text for el in d.driver.find_elements("css selector", '[data-testid="history-item"]')
               if el.is_displayed()]
    assert any(h.startswith(first) for h in history), history
    d.shot("display-after-calls")
    c.assert_no_console_errors()
    d.assert_no_console_errors()


# --------------------------------------------------------------------------------------- display


def test_display_shows_call_within_a_second(server, clerk_token, browser):
    ticket = server.issue_ticket()
    d = browser("display", 1920, 1080, autoplay=True, probe=True)
    d.get(server.page(f"/display/{LOCATION}?sound=auto"))
    d.wait_text("location-name", "Stadhuis Wilgendaal")
    d.wait(10).until(lambda drv: drv.execute_script("return window.__probe.sseOpen") >= 1,
                     "the display never opened its event stream")
    assert d.html_lang() == "nl"
    assert d.visible("sound-hint") is False, "with autoplay allowed the display should not ask for a click"
    d.driver.execute_script("window.__probe.numbers = []")

    tk, t0 = call_until(server, clerk_token, "stadhuis-2", ticket["id"])
    d.wait_text("current-number", tk["number"], timeout=5)
    seen = d.driver.execute_script(
        "return (window.__probe.numbers.find(n => n.text === arguments[0]) || {}).t", tk["number"])
    latency = seen / 1000 - t0
    print(f"\ndisplay latency after the API call-next: {latency * 1000:.0f} ms")
    assert latency < 1.0, f"the display showed {tk['number']} {latency:.3f}s after call-next"
    assert d.text_of("current-counter") == "2"
    # The live region for screen readers says the call too.
    announce = d.driver.execute_script("return document.getElementById('announce').textContent")
    assert announce.startswith(tk["number"]) and announce.endswith(" 2"), announce
    d.shot("display-1920x1080")
    body = d.body_text()
    for name in ("Peeters", "Zoë", "Dubois"):
        assert name not in body
    server.post(f"/tickets/{tk['id']}/finish", token=clerk_token, expect=200)
    d.assert_no_console_errors()


# --------------------------------------------------------------------------------------- ticket page


def test_ticket_status_page_follows_the_call(server, clerk_token, browser, i18n):
    ticket = server.issue_ticket()
    b = browser("ticket-phone", 390, 844, mobile=True, probe=True)
    b.get(server.page(f"/t/{ticket['id']}"))
    b.wait_text("ticket-number", ticket["number"])
    assert b.html_lang() == "nl"
    assert b.text_of("ticket-service") == "Identiteitskaart (eID) aanvragen"
    assert b.wait_text("location-name", "Stadhuis Wilgendaal")
    status = b.text_of("ticket-status")
    assert status in (i18n["nl"]["ticket"]["status"]["waiting"], i18n["nl"]["ticket"]["status"]["next"]), status
    assert re.fullmatch(r"\d+", b.text_of("ticket-position")), b.text_of("ticket-position")
    assert not b.visible("ticket-called")
    b.wait(10).until(lambda drv: drv.execute_script("return window.__probe.sseOpen") >= 1,
                     "the ticket page never opened its event stream")
    b.shot("ticket-phone-waiting", full=True)

    tk, t0 = call_until(server, clerk_token, "stadhuis-1", ticket["id"])
    b.tid("ticket-called", timeout=5)
    waited = time.time() - t0
    assert b.css("#called-title").text == i18n["nl"]["ticket"]["yourTurn"]
    assert b.text_of("ticket-counter") == "Ga naar loket 1"
    assert not b.visible("ticket-position")
    assert b.driver.title.startswith(f"{ticket['number']} → 1")
    print(f"\nticket page showed the call {waited * 1000:.0f} ms after call-next")
    b.shot("ticket-phone-called", full=True)

    # Served and finished: the page says so.
    server.post(f"/tickets/{tk['id']}/finish", token=clerk_token, expect=200)
    b.wait_text("ticket-status", i18n["nl"]["ticket"]["status"]["done"], timeout=10)
    assert not b.visible("ticket-called")
    b.assert_no_console_errors()
