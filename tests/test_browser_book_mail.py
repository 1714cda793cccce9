"""What /book tells a citizen about mail (SPEC §6): the confirmation names the address the mail went
to (so a typo shows), or, with only a phone number, says that no mail will come and to keep the link
or print the page; after a move or a cancel the manage view says a mail with the change was sent.
In four languages, each state checked with axe-core."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import book_to_form, describe, serious, tr

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$")
SEARCH = {"nl": "identiteit", "fr": "identité", "en": "identity card", "de": "Personalausweis"}
NAMES = {"nl": "Zoë Peeters", "fr": "Françoise Lefèvre", "en": "Siobhán O'Brien", "de": "Jürgen Weiß"}


def filled(template: str, **values) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def book(b, server, lang: str, *, email: str = "", phone: str = "", shot: str) -> dict:
    """Books eid-aanvraag on /book?lang=… with the given contact; ends on the confirmation."""
    b.get(server.page(f"/book?lang={lang}"))
    b.tid("view-search")
    assert b.html_lang() == lang
    book_to_form(b, SEARCH[lang])
    b.tid("input-name").send_keys(NAMES[lang])
    if email:
        b.tid("input-email").send_keys(email)
    if phone:
        b.tid("input-phone").send_keys(phone)
    b.click("btn-book")
    b.tid("view-confirm")
    ref = b.wait_text("booking-reference", REFERENCE, what="a reference like K7M-3QX")
    b.tid("confirm-mail", timeout=5)
    b.shot(shot, full=True)
    link = b.tid("manage-link").get_attribute("href")
    return {"reference": ref, "link": link, "token": parse_qs(urlparse(link).query)["token"][0]}


def axe_clean(axe_run, b, label):
    bad = serious(axe_run(b, label))
    assert not bad, f"{label}: {describe(bad)}"


def move_to_another_time(b):
    """From the manage view: Move, the first free day, its last free time, confirm."""
    b.click("btn-move")
    b.tid("view-calendar")
    day = b.wait(15).until(lambda d: d.execute_script(
        "const x = document.querySelector('#cal-body button.day:not([disabled])'); return x && x.dataset.date"),
        "no day with free times to move to")
    b.click(f"day-{day}")
    b.tid("times")
    hm = b.driver.execute_script("const l = document.querySelectorAll('#times .time-btn'); return l[l.length - 1].textContent")
    b.click(f"slot-{hm}")
    b.click("btn-move-confirm")
    b.tid("view-manage")
    return hm


@pytest.mark.parametrize("lang,email", [("nl", "zoe.peeters@exmaple.be"), ("de", "juergen.weiss@example.de")])
def test_confirmation_names_the_mail_address(lang, email, server, browser, i18n, axe_run):
    """The address is shown as the server stored it, typo and all ("exmaple"), so the citizen can spot it."""
    T = lambda key: tr(i18n, lang, key)  # noqa: E731
    b = browser(f"book-mail-{lang}", 390, 844, mobile=True)
    booked = book(b, server, lang, email=email, shot=f"book-mail-{lang}-confirmation")
    note = b.text_of("confirm-mail")
    assert b.text_of("confirm-email") == email
    assert filled(T("book.confirm.mailSent"), email=email) in note, note
    assert T("book.confirm.mailCheck") in note, note
    assert T("book.confirm.noMail") not in note
    role = b.driver.execute_script("return document.getElementById('confirm-mail').parentElement.getAttribute('role')")
    assert role == "status"
    axe_clean(axe_run, b, f"book-mail-{lang}-confirmation")
    stored = server.get(f"/appointments/{booked['reference']}?token={booked['token']}", expect=200).json()
    assert stored["email"] == email

    # Move it: the manage view says the change was mailed to the same address.
    b.get(booked["link"])
    b.wait_text("manage-reference", booked["reference"])
    assert not b.visible("manage-notice")
    hm = move_to_another_time(b)
    b.wait_text("manage-message", lambda s: hm in s and s.startswith(T("book.manage.moved").split("{")[0]),
                what=f"moved to {hm}")
    assert b.text_of("manage-mail") == filled(T("book.manage.mailSent"), email=email)
    assert b.text_of("manage-email") == email
    b.shot(f"book-mail-{lang}-moved", full=True)
    axe_clean(axe_run, b, f"book-mail-{lang}-moved")

    # Cancel it: the same, with the cancel sentence.
    b.click("btn-cancel")
    b.click("btn-cancel-confirm")
    b.wait_text("manage-message", T("book.manage.cancelled"))
    assert b.text_of("manage-mail") == filled(T("book.manage.mailSent"), email=email)
    b.shot(f"book-mail-{lang}-cancelled", full=True)
    axe_clean(axe_run, b, f"book-mail-{lang}-cancelled")
    b.assert_no_console_errors()


@pytest.mark.parametrize("lang,phone", [("fr", "0470 11 22 33"), ("en", "+32 470 44 55 66")])
def test_confirmation_with_phone_only_says_no_mail_comes(lang, phone, server, browser, i18n, axe_run):
    T = lambda key: tr(i18n, lang, key)  # noqa: E731
    b = browser(f"book-nomail-{lang}", 390, 844, mobile=True)
    booked = book(b, server, lang, phone=phone, shot=f"book-nomail-{lang}-confirmation")
    assert b.text_of("confirm-mail") == T("book.confirm.noMail")
    assert b.present("confirm-email") is None
    assert b.visible("btn-print") and b.visible("manage-link")   # what the sentence points to
    axe_clean(axe_run, b, f"book-nomail-{lang}-confirmation")

    # Moved without an e-mail address: no mail claimed, but a hint to note the new time.
    b.get(booked["link"])
    b.wait_text("manage-reference", booked["reference"])
    move_to_another_time(b)
    b.wait_text("manage-mail", T("book.manage.noMailMoved"))
    assert b.present("manage-email") is None
    b.shot(f"book-nomail-{lang}-moved", full=True)
    axe_clean(axe_run, b, f"book-nomail-{lang}-moved")

    # Cancelled without an e-mail address: just the cancel sentence.
    b.click("btn-cancel")
    b.click("btn-cancel-confirm")
    b.wait_text("manage-message", T("book.manage.cancelled"))
    assert not b.visible("manage-mail")
    b.assert_no_console_errors()


def test_mail_note_follows_the_language_switch(server, browser, i18n):
    """Switching language on the confirmation rewrites the note, address kept."""
    email = "lang.switch@example.be"
    b = browser("book-mail-switch", 1366, 768)
    book(b, server, "en", email=email, shot="book-mail-en-desktop-confirmation")
    b.click("lang-fr")
    b.wait_text("confirm-mail", lambda s: filled(tr(i18n, "fr", "book.confirm.mailSent"), email=email) in s,
                what="the French mail sentence")
    assert b.text_of("confirm-email") == email
    b.assert_no_console_errors()

