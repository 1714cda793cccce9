"""A citizen books an appointment on /book on a phone, reads it back through the manage link and
cancels it (with the confirm step); the API agrees that it is cancelled."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.support.ui import Select

from conftest import LOCATION, SERVICE, tr

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$")


def test_book_read_back_and_cancel(server, browser, i18n):
    b = browser("book-phone", 390, 844, mobile=True)
    b.get(server.page("/book"))
    b.tid("view-search")
    assert b.html_lang() == "nl"   # the browser asks for nl-BE
    assert b.css("#search-heading").text == tr(i18n, "nl", "book.search.title")

    # Search: results come from the ranked search, typed like a person.
    b.tid("service-search").send_keys("identiteit")
    card = b.tid(f"service-{SERVICE}")
    assert "Identiteitskaart (eID) aanvragen" in card.text
    b.wait_text("results-status", re.compile(r"^\d+ resultat(en)?$|^1 resultaat$"))
    b.shot("book-phone-1-search", full=True)
    b.click(f"service-{SERVICE}")

    # Details: one service, choose the town hall.
    b.tid("view-details")
    assert b.css("#details-heading").text == "Identiteitskaart (eID) aanvragen"
    assert b.present("steps").is_displayed()
    b.click(f"location-{LOCATION}")
    b.shot("book-phone-2-details", full=True)
    b.click("btn-to-calendar")

    # Calendar: today (lead time 120 min at 09:00) or a later day, and a time.
    b.tid("view-calendar")
    assert b.css("#calendar-heading").text == tr(i18n, "nl", "book.calendar.title")
    b.wait_text("cal-month", re.compile(r"^december 2026$", re.I))
    day = b.wait(15).until(
        lambda d: d.execute_script(
            "const b = document.querySelector('#cal-body button.day:not([disabled])'); return b && b.dataset.date"),
        "no day with free times in the calendar")
    assert day >= "2026-12-01"
    b.click(f"day-{day}")
    b.tid("times")
    first = b.css("#times .time-btn").text
    assert re.fullmatch(r"\d\d:\d\d", first)
    if day == "2026-12-01":
        assert first >= "11:00", f"lead time 120 min at 09:00, but {first} is offered"
    b.shot("book-phone-3-calendar", full=True)
    b.click(f"slot-{first}")

    # Contact details, with a name outside ASCII.
    b.tid("view-form")
    summary = b.text_of("form-summary")
    assert first in summary and "Stadhuis Wilgendaal" in summary
    b.tid("input-name").send_keys("Zoë Peeters")
    b.tid("input-email").send_keys("zoe.peeters@example.be")
    assert Select(b.tid("input-lang")).first_selected_option.get_attribute("value") == "nl"
    b.shot("book-phone-4-form", full=True)
    b.click("btn-book")

    # Confirmation: a reference like K7M-3QX and a manage link.
    b.tid("view-confirm")
    ref = b.wait_text("booking-reference", REFERENCE, what="a reference like K7M-3QX")
    assert first in b.text_of("booking-when")
    assert b.text_of("booking-what") == "Identiteitskaart (eID) aanvragen"
    assert b.text_of("booking-location").startswith("Stadhuis Wilgendaal")
    link = b.tid("manage-link").get_attribute("href")
    q = parse_qs(urlparse(link).query)
    assert q["ref"] == [ref] and q["token"][0]
    token = q["token"][0]
    qr = b.tid("booking-qr")
    b.wait(5).until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr),
                    "the QR code on the confirmation did not load")
    # The QR code is shown at the kiosk: it carries the reference, never the manage token.
    qr_data = parse_qs(urlparse(qr.get_attribute("src")).query)["data"]
    assert qr_data == [ref] and token not in qr.get_attribute("src")
    ics = b.tid("link-calendar").get_attribute("href")
    assert server.get(ics, expect=200).headers["Content-Type"].startswith("text/calendar")
    b.shot("book-phone-5-confirmation", full=True)

    appt = server.get(f"/appointments/{ref}?token={token}", expect=200).json()
    assert appt["status"] == "booked" and appt["name"] == "Zoë Peeters"
    assert appt["start"].startswith(f"{day}T{first}")

    # Read it back through the manage link.
    b.get(link)
    b.tid("view-manage")
    assert b.wait_text("manage-reference", ref)
    assert b.text_of("manage-status") == tr(i18n, "nl", "book.status.booked")
    assert b.text_of("manage-name") == "Zoë Peeters"
    assert first in b.text_of("manage-when")
    assert b.text_of("manage-what") == "Identiteitskaart (eID) aanvragen"
    b.shot("book-phone-6-manage", full=True)

    # Cancel, with the confirm step in between.
    b.click("btn-cancel")
    b.tid("cancel-confirm")
    assert b.css("#cancel-confirm-text").text == tr(i18n, "nl", "book.manage.cancelQuestion")
    assert server.get(f"/appointments/{ref}?token={token}", expect=200).json()["status"] == "booked"
    b.shot("book-phone-7-cancel-confirm", full=True)
    b.click("btn-cancel-confirm")
    b.wait_text("manage-status", tr(i18n, "nl", "book.status.cancelled"))
    assert b.wait_text("manage-message", tr(i18n, "nl", "book.manage.cancelled"))
    assert not b.visible("btn-cancel") and not b.visible("btn-move")
    b.shot("book-phone-8-cancelled", full=True)

    assert server.get(f"/appointments/{ref}?token={token}", expect=200).json()["status"] == "cancelled"
    b.assert_no_console_errors()
