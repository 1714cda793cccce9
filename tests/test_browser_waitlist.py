"""The waitlist end to end: a full day at the district office, a citizen joins the waitlist from
the booking page, someone cancels, the server's round offers the freed slot, and the waitlist page
(from the joined state's link) shows the offer; accepting books it. axe checks both pages.

The demo holds a cancelled slot back for 30 minutes and the server's clock runs at real speed, so
this test serves a copy of the demo config with no cancel cooldown: the cancel wakes the round,
which offers the slot at once (there is no test-only endpoint to move the clock)."""

from __future__ import annotations

import re
import shutil
import time
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import BOOKING_CLOCK, CONFIG, SERVICE, LoketServer, tr

pytestmark = pytest.mark.browser

OFFICE = "deelgemeente-oost"   # 09:00-12:00, two desks, online share 0.8: one online booking per slot
DAY = "2026-12-09"             # a Wednesday, a week after the pinned clock


@pytest.fixture
def office(loket_bin, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    locations = config / "locations.yaml"
    text = locations.read_text(encoding="utf-8")
    assert "cancelCooldownMinutes: 30" in text
    locations.write_text(text.replace("cancelCooldownMinutes: 30", "cancelCooldownMinutes: 0"), encoding="utf-8")
    srv = LoketServer(tmp_path / "db.sqlite", BOOKING_CLOCK, tmp_path / "serve.log", config=config)
    yield srv
    srv.stop()


def fill_day(srv: LoketServer) -> list[dict]:
    """Books every online slot of DAY at the office, each for another citizen."""
    booked = []
    for i in range(40):
        slots = srv.get("/availability", params={"service": SERVICE, "location": OFFICE, "from": DAY, "to": DAY},
                        expect=200).json()["slots"]
        if not slots:
            break
        res = srv.post("/appointments", json={"service": SERVICE, "location": OFFICE, "start": slots[0]["start"],
                                              "name": f"Burger {i}", "email": f"burger{i}@example.be"}, expect=201)
        booked.append(res.json())
    assert booked and len(booked) < 40, "the day should fill up"
    return booked


def test_join_from_the_booking_page_then_accept_the_offer(office, browser, i18n, axe_run):
    booked = fill_day(office)

    b = browser("waitlist-phone", 390, 844, mobile=True)
    b.get(office.page("/book"))
    b.tid("service-search").send_keys("identiteit")
    b.click(f"service-{SERVICE}")
    b.click(f"location-{OFFICE}")
    b.click("btn-to-calendar")
    b.tid("view-calendar")
    b.wait_text("cal-month", re.compile(r"^december 2026$", re.I))
    b.wait(15).until(lambda d: d.execute_script("return !!document.querySelector('#cal-body button.day:not([disabled])')"))
    assert b.tid(f"day-{DAY}").get_attribute("disabled") is not None, "the full day has no free time"

    # The waitlist box: open it, the month is prefilled; ask for the full day only.
    assert b.visible("waitlist-box")
    assert b.css("#waitlist-heading").text == tr(i18n, "nl", "book.waitlist.title")
    b.click("btn-waitlist")
    assert b.tid("btn-waitlist").get_attribute("aria-expanded") == "true"
    assert b.tid("wl-from").get_attribute("value") >= "2026-12-01"
    assert b.tid("wl-to").get_attribute("value") == "2026-12-31"
    # An address that is not one is refused on the page, nothing is sent.
    b.tid("wl-email").send_keys("zoe.peeters")
    b.click("btn-waitlist-join")
    b.wait_text("waitlist-errors", tr(i18n, "nl", "book.waitlist.errEmail"))
    b.driver.execute_script(
        "for (const id of ['wl-from', 'wl-to']) { const el = document.getElementById(id); el.value = arguments[0];"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }", DAY)
    b.tid("wl-email").send_keys("@example.be")
    b.tid("wl-name").send_keys("Zoë Peeters")
    b.shot("waitlist-1-form", full=True)
    violations = axe_run(b, "booking page, waitlist form")
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    b.click("btn-waitlist-join")
    b.tid("waitlist-joined")
    assert "zoe.peeters@example.be" in b.text_of("waitlist-joined-text")
    link = b.tid("waitlist-link").get_attribute("href")
    q = parse_qs(urlparse(link).query)
    entry_id = urlparse(link).path.split("/")[-1]
    token = q["token"][0]
    entry = office.get(f"/waitlist/{entry_id}", params={"token": token}, expect=200).json()
    assert entry["status"] == "waiting" and entry["from"] == DAY and entry["to"] == DAY and entry["position"] == 1
    assert "email" not in entry and "name" not in entry

    # Someone cancels: the cancel wakes the round, which holds the slot for the first in line.
    freed = booked[len(booked) // 2]
    office.api("DELETE", f"/appointments/{freed['reference']}", params={"token": freed["manageToken"]}, expect=200)
    deadline = time.time() + 15
    while entry["status"] != "offered" and time.time() < deadline:
        time.sleep(0.2)
        entry = office.get(f"/waitlist/{entry_id}", params={"token": token}, expect=200).json()
    assert entry["status"] == "offered", entry
    assert entry["offer"]["start"] == freed["start"]
    slots = office.get("/availability", params={"service": SERVICE, "location": OFFICE, "from": DAY, "to": DAY},
                       expect=200).json()["slots"]
    assert slots == [], "the held slot is not free for anyone else"

    # The waitlist page: the token leaves the address bar, the offer shows, accepting books it.
    b.get(link)
    b.tid("wl-offer")
    assert "token=" not in b.driver.current_url
    assert b.css("#wl-heading").text == tr(i18n, "nl", "waitlist.title")
    assert b.text_of("wl-status") == tr(i18n, "nl", "waitlist.status.offered")
    assert re.search(r"\d\d:\d\d", b.text_of("wl-offer-when"))
    assert b.text_of("wl-position") == "1"
    b.shot("waitlist-2-offered", full=True)
    violations = axe_run(b, "waitlist page, offered")
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    b.click("btn-accept")
    b.tid("wl-booked")
    text = b.text_of("wl-booked-text")
    reference = re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", text).group(0)
    manage = b.tid("wl-booked-link").get_attribute("href")
    mq = parse_qs(urlparse(manage).query)
    assert mq["ref"] == [reference]
    appointment = office.get(f"/appointments/{reference}", params={"token": mq["token"][0]}, expect=200).json()
    assert appointment["start"] == freed["start"] and appointment["status"] == "booked"
    assert not b.visible("wl-offer") and not b.visible("btn-leave")
    # A reload keeps the token from the page's storage: the booked state, no buttons.
    b.get(office.page(f"/w/{entry_id}"))
    b.wait_text("wl-status", tr(i18n, "nl", "waitlist.status.booked"))
    b.shot("waitlist-3-booked", full=True)

    # In French, the page speaks French.
    b.click("lang-fr")
    b.wait_text("wl-status", tr(i18n, "fr", "waitlist.status.booked"))
    b.assert_no_console_errors()
