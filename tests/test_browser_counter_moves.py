"""The clerk's moves on the counter page in headless Chromium, in Dutch and in French: pause with a
reason, call a waiting ticket out of order (with the reason prompt), park it, call it back from the
parked list, finish it with an outcome chosen from the keyboard, and record a visit served without
a ticket. The API confirms each step; the citizen's ticket page explains the parked ticket; axe
finds no serious WCAG violation with a dialog open.

Each language works at its own counter of the demo town hall (`stadhuis`), with passports
(`reispas-aanvraag`, which has outcomes in the demo config), so the other browser tests'
counters and tickets are left alone.
"""

from __future__ import annotations

import re

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import LOCATION, LoketServer, describe, make_token, serious

pytestmark = pytest.mark.browser

SERVICE = "reispas-aanvraag"
COUNTER = {"nl": "stadhuis-4", "fr": "stadhuis-5"}


def click_in_list(b, testid, tries=5):
    """Clicks a button of the queue lists, which live updates redraw: a redraw between finding and clicking is retried."""
    for _ in range(tries - 1):
        try:
            return b.click(testid)
        except StaleElementReferenceException:
            continue
    return b.click(testid)


def counter_of(server, clerk, counter_id):
    counters = server.get(f"/locations/{LOCATION}/counters", token=clerk, expect=200).json()
    return next(c for c in counters if c["id"] == counter_id)


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_counter_moves(lang, server, clerk_token, browser, i18n, axe_run):
    text = i18n[lang]["counter"]
    counter_id = COUNTER[lang]
    # stadhuis-5 serves omgeving, financien and vrije tijd: a passport ticket reaches it only by /call.
    ticket = server.issue_ticket(service=SERVICE)
    number = ticket["number"]

    c = browser(f"counter-moves-{lang}", 1366, 900)
    c.get(server.page(f"/counter?lang={lang}"))
    c.tid("token-input").send_keys(clerk_token)
    c.click("btn-sign-in")
    c.tid("view-desk")
    assert c.html_lang() == lang
    Select(c.tid("select-location")).select_by_value(LOCATION)
    c.wait(10).until(lambda d: any(o.get_attribute("value") == counter_id for o in Select(c.present("select-counter")).options),
                     f"counter {counter_id} never offered")
    Select(c.present("select-counter")).select_by_value(counter_id)
    if c.text_of("counter-state") != text["state"]["open"]:
        c.click("btn-open")
    c.wait_text("counter-state", text["state"]["open"])

    # Pause with a reason: shown on the page and in the counters list of the API.
    reason = "Overleg tot 10:00" if lang == "nl" else "Réunion jusqu'à 10h00"
    c.click("btn-pause")
    c.tid("pause-dialog")
    c.tid("pause-reason-input").send_keys(reason)
    c.click("pause-confirm")
    c.wait_text("counter-state", text["state"]["paused"])
    c.wait_text("pause-reason", reason)
    assert counter_of(server, clerk_token, counter_id).get("pauseReason") == reason
    c.click("btn-open")
    c.wait_text("counter-state", text["state"]["open"])
    assert c.driver.find_element("id", "pause-reason-line").get_attribute("hidden") is not None
    assert "pauseReason" not in counter_of(server, clerk_token, counter_id)

    # Call the ticket out of order from the waiting list; the prompt asks why.
    click_in_list(c, f"btn-call-{number}")
    c.tid("call-dialog")
    assert c.driver.switch_to.active_element.get_attribute("data-testid") == "call-reason", "focus goes to the reason"
    why = "Rolstoel" if lang == "nl" else "Fauteuil roulant"
    c.tid("call-reason").send_keys(why, Keys.ENTER)
    c.wait_text("current-ticket-number", number)
    assert server.get(f"/tickets/{ticket['id']}", expect=200).json()["status"] == "called"
    audit = server.get(f"/audit?date=2026-12-01", token=server.token("admin", "browser-admin"), expect=200).json()
    assert any(a["action"] == "ticket.call-out-of-order" and a["subject"] == number and why in (a.get("detail") or "")
               for a in audit), [a for a in audit if a["action"].startswith("ticket.call")]

    # The citizen steps away: P parks the ticket, the counter is free, the parked list has it.
    c.driver.find_element("tag name", "body").send_keys("p")
    c.tid("current-empty")
    c.tid(f"parked-ticket-{number}")
    assert server.get(f"/tickets/{ticket['id']}", expect=200).json()["status"] == "parked"
    assert f"queue-ticket-{number}" not in c.driver.page_source, "a parked ticket is not in the waiting list"
    c.shot(f"counter-parked-{lang}")
    phone = browser(f"ticket-parked-{lang}", 390, 844, mobile=True)
    phone.get(server.page(f"/t/{ticket['id']}?lang={lang}"))
    phone.wait_text("ticket-status", i18n[lang]["ticket"]["status"]["parked"])
    phone.assert_no_console_errors()

    # Called back from the parked list.
    click_in_list(c, f"btn-callback-{number}")
    c.wait_text("current-ticket-number", number)
    c.wait(5).until(lambda d: not c.visible(f"parked-ticket-{number}"), "the called-back ticket stayed in the parked list")

    # F finishes; the service has outcomes, so their buttons come first, and a digit picks one.
    c.driver.find_element("tag name", "body").send_keys("f")
    c.tid("finish-dialog")
    outcomes = server.get(f"/services/{SERVICE}?lang={lang}", expect=200).json()["outcomes"]
    assert c.text_of(f"btn-outcome-{outcomes[1]['id']}").endswith(outcomes[1]["name"])
    violations = axe_run(c, f"counter finish dialog ({lang})")
    assert not serious(violations), describe(serious(violations))
    c.driver.switch_to.active_element.send_keys("2")
    c.tid("current-empty")
    done = server.get(f"/tickets/{ticket['id']}", expect=200).json()
    assert done["status"] == "done" and done["outcome"] == outcomes[1]["id"], done
    c.wait_text("counter-message", lambda s: number in s and outcomes[1]["name"] in s)

    # A visit served without a ticket, with its outcome.
    before = server.get("/stats/day?date=2026-12-01", token=server.token("admin", "browser-admin"), expect=200).json()
    c.click("btn-served")
    c.tid("served-dialog")
    Select(c.tid("served-service")).select_by_value(SERVICE)
    c.tid("served-outcome")
    Select(c.present("served-outcome")).select_by_value(outcomes[0]["id"])
    violations = axe_run(c, f"counter served dialog ({lang})")
    assert not serious(violations), describe(serious(violations))
    c.click("served-confirm")
    c.wait_text("counter-message", lambda s: s.strip() != "" and number not in s)
    after = server.get("/stats/day?date=2026-12-01", token=server.token("admin", "browser-admin"), expect=200).json()
    served = lambda stats: next(s for s in stats if s["location"] == LOCATION)["served"]
    assert served(after) == served(before) + 1

    violations = axe_run(c, f"counter after the moves ({lang})")
    assert not serious(violations), describe(serious(violations))
    c.assert_no_console_errors()


def test_a_ticket_checked_in_before_the_counters_open_says_when_they_open(loket_bin, tmp_path, browser, i18n):
    """The issue "a ticket issued before any counter opens shows an estimate of 0 minutes": at 08:10
    an appointment of 08:30 is checked in at the kiosk; the kiosk and the ticket page say the
    counters open at 08:30 (the town hall's opening), in Dutch and in French."""
    db = tmp_path / "early.sqlite"
    booking = LoketServer(db, "2026-12-01T06:00:00+01:00", tmp_path / "serve-0600.log")
    try:
        a = booking.post("/appointments", expect=201, json={
            "service": "eid-aanvraag", "location": LOCATION, "start": "2026-12-01T08:30:00+01:00", "persons": 1,
            "name": "Vroege Vogel", "email": "vroeg@example.be", "lang": "nl"}).json()
    finally:
        booking.stop()
    srv = LoketServer(db, "2026-12-01T08:10:00+01:00", tmp_path / "serve-0810.log")
    try:
        kiosk = make_token(db, "kiosk", "early-kiosk")
        b = browser("kiosk-early", 1080, 1920)
        b.get(srv.page(f"/kiosk/{LOCATION}?setup={kiosk}&print=0"))
        b.tid("screen-start")
        field = b.click("checkin-input")
        b.tid("keyboard")
        field.send_keys(a["reference"], Keys.ENTER)
        b.wait_text("ticket-number", lambda s: s.startswith("A"))
        b.wait_text("ticket-wait", i18n["nl"]["kiosk"]["ticket"]["opensAt"].replace("{time}", "08:30"))
        b.shot("kiosk-early-checkin")
        b.assert_no_console_errors()

        queue = srv.get(f"/locations/{LOCATION}/queue", token=make_token(db, "clerk", "early-clerk"), expect=200).json()
        tk = queue["waiting"][0]
        assert tk["countersOpen"] is False and tk["opensAt"] == "2026-12-01T08:30:00+01:00", tk
        assert tk["estimatedWaitMinutes"] >= 20, tk
        phone = browser("ticket-early", 390, 844, mobile=True)
        phone.get(srv.page(f"/t/{tk['id']}?lang=fr"))
        phone.wait_text("ticket-wait", lambda s: s.startswith(i18n["fr"]["ticket"]["opensAt"].replace("{time}", "08:30")))
        assert not re.search(r"(?<!\d)0 min", phone.text_of("ticket-wait")), phone.text_of("ticket-wait")
        phone.assert_no_console_errors()
    finally:
        srv.stop()
