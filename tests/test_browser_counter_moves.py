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

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import LOCATION, describe, serious

pytestmark = pytest.mark.browser

SERVICE = "reispas-aanvraag"
COUNTER = {"nl": "stadhuis-4", "fr": "stadhuis-5"}


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
    c.click(f"btn-call-{number}")
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
    c.click(f"btn-callback-{number}")
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
