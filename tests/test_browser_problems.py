"""Problems in plain words: the one table (kiosk/js/problems.js) that every page uses to turn the
server's problem answers into sentences, fed problems through a real page in all four languages;
then the kiosk against a live server of its own, checking in appointments that are too early,
cancelled and missed (marked no-show at a counter), and showing what the table says.

The server's problems carry code, title, detail, status, fields and only these members:
nextOpening, appointmentStart, checkInOpens, location, locationName, address, number, retryAfter.
Older names (checkInFrom, earliest, start, ticket.number) must not change what a page says.
"""

from __future__ import annotations

import re

import pytest

from conftest import (LOCATION, SERVICE, TODAY, BOOKING_CLOCK, SERVE_CLOCK, LoketServer, Site,
                      book_checkin_appointments, book_to_form, tr)

pytestmark = pytest.mark.browser

LANGS = ("nl", "fr", "en", "de")
BRANCHES = ("kiosk.err", "counter.err", "book.err", "ticket.err")


def fill(template: str, **values) -> str:
    """i18n.js's {name} filling."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def before(template: str) -> str:
    return template.split("{", 1)[0]


def explain(b, cases: list[tuple]) -> dict:
    """Runs explainProblem on the page for each (name, problem, options); returns {name: result}."""
    res = b.driver.execute_async_script("""
        const [cases, done] = [arguments[0], arguments[arguments.length - 1]];
        import('/static/js/problems.js').then((m) => {
          const out = {};
          for (const [name, problem, opts] of cases) out[name] = m.explainProblem(problem, opts);
          done(out);
        }).catch((e) => done({error: String(e)}));""", cases)
    assert "error" not in res, res
    return res


# ------------------------------------------------------------------------------ a server of our own


@pytest.fixture(scope="module")
def site(loket_bin, tmp_path_factory):
    """Its own database: at 07:00 books one appointment that can be checked in at 09:00 (to be
    missed), then serves at 09:00 like the shared server; the other tests' queue stays untouched."""
    tmp = tmp_path_factory.mktemp("loket-problems")
    db = tmp / "db.sqlite"
    early = LoketServer(db, BOOKING_CLOCK, tmp / "serve-0700.log")
    try:
        appointments = book_checkin_appointments(early, count=1)
    finally:
        early.stop()
    srv = LoketServer(db, SERVE_CLOCK, tmp / "serve-0900.log")
    yield Site(srv, db, appointments)
    srv.stop()


def book_today(site: Site, earliest: str) -> dict:
    """Books the first free slot today at or after `earliest` (HH:MM); returns the 201 answer."""
    slots = site.get(f"/availability?service={SERVICE}&location={LOCATION}&from={TODAY}&to={TODAY}",
                     expect=200).json()["slots"]
    slot = next((s for s in slots if s["start"][11:16] >= earliest), None)
    assert slot, f"no free slot today from {earliest}: {slots[:5]}"
    body = {"service": SERVICE, "location": LOCATION, "start": slot["start"], "persons": 1,
            "name": "Problem Test", "email": "problems@example.be", "lang": "nl"}
    return site.post("/appointments", json=body, expect=201).json()


def open_kiosk(site: Site, browser, name: str):
    b = browser(name, 1080, 1920)
    b.get(site.page(f"/kiosk/{LOCATION}?setup={site.token('kiosk')}&print=0"))
    b.tid("screen-start")
    b.allow_console(r"/api/v1/checkins.* 409")
    return b


def check_in_on_kiosk(b, reference: str):
    b.tid("screen-start")
    b.click("checkin-input").send_keys(reference, "\n")
    b.tid("screen-message")
    return b.text_of("message-title"), [p.text for p in b.driver.find_elements("css selector", "#message-text p")]


# ------------------------------------------------------------------------------ the translations


def test_every_language_has_the_same_texts_and_every_page_a_generic_one(i18n):
    def keys(d, prefix=""):
        out = set()
        for k, v in d.items():
            out.add(prefix + k)
            if isinstance(v, dict):
                out |= keys(v, f"{prefix}{k}.")
        return out

    nl = keys(i18n["nl"])
    for lang in LANGS[1:]:
        assert keys(i18n[lang]) == nl, f"{lang} differs from nl: {sorted(keys(i18n[lang]) ^ nl)}"
    for lang in LANGS:
        for branch in BRANCHES:
            assert tr(i18n, lang, f"{branch}.generic"), f"{lang}: {branch}.generic missing"
        missed = tr(i18n, lang, "kiosk.err.appointmentMissed")
        assert missed["title"] and missed["text"], lang
        assert missed["title"] != tr(i18n, lang, "kiosk.err.tooLate.title"), lang
    titles = {tr(i18n, lang, "kiosk.err.appointmentMissed.title") for lang in LANGS}
    assert len(titles) == len(LANGS), titles


# ------------------------------------------------------------------------------ the table


@pytest.mark.parametrize("lang", LANGS)
def test_the_table_says_what_each_problem_means(lang, site, browser, i18n):
    T = lambda key: tr(i18n, lang, key)  # noqa: E731
    today = lambda hm: fill(T("common.todayAt"), time=hm)  # noqa: E731
    at = f"{TODAY}T"
    kiosk = {"texts": "kiosk.err", "lang": lang}
    checkin = {**kiosk, "reference": "K7M-3QX"}
    cases = [
        ("closed", {"status": 409, "code": "service_closed", "nextOpening": f"{at}13:00:00+01:00"},
         {**kiosk, "service": "eID"}),
        ("closed-unknown", {"status": 409, "code": "service_closed"}, {**kiosk, "service": "eID"}),
        ("early", {"status": 409, "code": "too_early", "checkInOpens": f"{at}10:30:00+01:00",
                   "appointmentStart": f"{at}11:00:00+01:00"}, checkin),
        ("early-old-names", {"status": 409, "code": "too_early", "checkInFrom": f"{at}10:30:00+01:00",
                             "earliest": f"{at}10:30:00+01:00", "start": f"{at}11:00:00+01:00"}, checkin),
        ("late", {"status": 409, "code": "too_late", "appointmentStart": f"{at}08:00:00+01:00"}, checkin),
        ("missed", {"status": 409, "code": "appointment_missed", "appointmentStart": f"{at}08:00:00+01:00"}, checkin),
        ("not-today", {"status": 409, "code": "not_today", "appointmentStart": "2026-12-03T10:00:00+01:00"}, checkin),
        ("not-today-old-name", {"status": 409, "code": "not_today", "start": "2026-12-03T10:00:00+01:00"}, checkin),
        ("elsewhere", {"status": 409, "code": "wrong_location", "location": "elders", "locationName": "Dienstencentrum",
                       "address": "Markt 1", "appointmentStart": f"{at}10:00:00+01:00"}, checkin),
        ("already", {"status": 409, "code": "already_checked_in", "number": "A007"}, checkin),
        ("already-old-name", {"status": 409, "code": "already_checked_in", "ticket": {"number": "A007"}}, checkin),
        ("cancelled", {"status": 409, "code": "cancelled"}, checkin),
        ("not-found", {"status": 404, "code": "not_found"}, checkin),
        ("not-json-404", {"status": 404, "code": "http_404"}, checkin),
        ("bad-reference", {"status": 422, "code": "validation_failed", "fields": {"reference": "too long"}}, checkin),
        ("bad-service", {"status": 422, "code": "validation_failed", "fields": {"service": "not here"}}, kiosk),
        ("rate-limited", {"status": 429, "code": "rate_limited", "retryAfter": "30"}, kiosk),
        ("storage", {"status": 500, "code": "storage_error", "detail": "Storing failed."}, kiosk),
        ("counter-illegal", {"status": 409, "code": "illegal_transition", "detail": "Ticket is done."},
         {"texts": "counter.err", "lang": lang}),
        ("counter-forbidden", {"status": 403, "code": "forbidden"}, {"texts": "counter.err", "lang": lang}),
        ("counter-busy", {"status": 503, "code": "busy"}, {"texts": "counter.err", "lang": lang}),
        ("counter-no-answer", {"status": 0, "code": "network"}, {"texts": "counter.err", "lang": lang}),
        ("counter-other", {"status": 409, "code": "counter_closed", "detail": "Closed."}, {"texts": "counter.err", "lang": lang}),
        ("book-rate-limited", {"status": 429, "code": "http_429"}, {"texts": "book.err", "lang": lang}),
        ("book-not-found", {"status": 404, "code": "not_found"}, {"texts": "book.err", "lang": lang, "reference": "K7M-3QX"}),
        ("book-no-answer", {"status": 0, "code": "timeout"}, {"texts": "book.err", "lang": lang}),
        ("book-contact-limit", {"status": 409, "code": "contact_limit"}, {"texts": "book.err", "lang": lang}),
        ("book-illegal", {"status": 409, "code": "illegal_transition"}, {"texts": "book.err", "lang": lang}),
        ("ticket-not-found", {"status": 404, "code": "not_found"}, {"texts": "ticket.err", "lang": lang}),
        ("ticket-other", {"status": 500, "code": "storage_error"}, {"texts": "ticket.err", "lang": lang}),
    ]
    b = open_kiosk(site, browser, f"problems-{lang}")
    got = explain(b, cases)

    def said(name):
        return got[name]["title"], got[name]["lines"]

    generic = (T("kiosk.err.generic.title"), [T("kiosk.err.generic.text")])
    not_found = (T("kiosk.err.notFound.title"), [fill(T("kiosk.err.notFound.text"), reference="K7M-3QX")])
    assert said("closed") == (T("kiosk.err.serviceClosed.title"), [
        fill(T("kiosk.err.serviceClosed.text"), service="eID"), fill(T("kiosk.err.serviceClosed.next"), when=today("13:00"))])
    assert said("closed-unknown") == (T("kiosk.err.serviceClosed.title"), [fill(T("kiosk.err.serviceClosed.text"), service="eID")])
    assert said("early") == (T("kiosk.err.tooEarly.title"), [
        fill(T("kiosk.err.tooEarly.from"), when=today("10:30")), fill(T("kiosk.err.appointmentAt"), when=today("11:00"))])
    assert said("early-old-names") == (T("kiosk.err.tooEarly.title"), [T("kiosk.err.tooEarly.text")])
    assert said("late") == (T("kiosk.err.tooLate.title"), [T("kiosk.err.tooLate.text")])
    assert said("missed") == (T("kiosk.err.appointmentMissed.title"), [T("kiosk.err.appointmentMissed.text")])
    title, lines = said("not-today")
    assert title == T("kiosk.err.notToday.title") and len(lines) == 1, lines
    assert lines[0].startswith(before(T("kiosk.err.notToday.on"))) and "10:00" in lines[0], lines
    assert said("not-today-old-name") == (T("kiosk.err.notToday.title"), [T("kiosk.err.notToday.text")])
    assert said("elsewhere") == (T("kiosk.err.wrongLocation.title"), [
        fill(T("kiosk.err.wrongLocation.text"), location="Dienstencentrum", address="Markt 1"),
        fill(T("kiosk.err.appointmentAt"), when=today("10:00"))])
    assert said("already") == (T("kiosk.err.alreadyCheckedIn.title"), [
        T("kiosk.err.alreadyCheckedIn.text"), fill(T("kiosk.err.alreadyCheckedIn.number"), number="A007")])
    assert said("already-old-name") == (T("kiosk.err.alreadyCheckedIn.title"), [T("kiosk.err.alreadyCheckedIn.text")])
    assert said("cancelled") == (T("kiosk.err.cancelled.title"), [T("kiosk.err.cancelled.text")])
    assert said("not-found") == not_found
    assert said("not-json-404") == not_found
    assert said("bad-reference") == not_found
    assert said("bad-service") == generic
    assert said("rate-limited") == (T("kiosk.err.rateLimited.title"), [T("kiosk.err.rateLimited.text")])
    assert said("storage") == generic

    assert said("counter-illegal") == ("", [fill(T("counter.err.illegalTransition"), detail="Ticket is done.")])
    assert said("counter-forbidden") == ("", [T("counter.err.forbidden")])
    assert said("counter-busy") == ("", [T("counter.err.unreachable")])
    assert said("counter-no-answer") == ("", [T("counter.err.unreachable")])
    assert said("counter-other") == ("", [fill(T("counter.err.generic"), detail="Closed.")])
    assert said("book-rate-limited") == ("", [T("book.err.rateLimited")])
    assert said("book-not-found") == ("", [T("book.err.notFound")])
    assert said("book-no-answer") == ("", [T("book.err.unreachable")])
    assert said("book-contact-limit") == ("", [T("book.err.contactLimit")])
    assert said("book-illegal") == ("", [T("book.err.illegalTransition")])
    assert said("ticket-not-found") == ("", [T("ticket.err.notFound")])
    assert said("ticket-other") == ("", [T("ticket.err.generic")])
    assert got["missed"]["code"] == "appointment_missed" and got["missed"]["stem"] == "appointmentMissed"
    b.assert_no_console_errors()


# ------------------------------------------------------------------------------ the kiosk, live


def checkin_problem(site: Site, reference: str) -> dict:
    """What the server answers the kiosk for this reference (a refused check-in changes nothing)."""
    res = site.post("/checkins", token=site.token("kiosk"), json={"reference": reference, "location": LOCATION},
                    expect=409)
    return res.json()


def test_kiosk_explains_too_early_and_cancelled(site, browser, i18n):
    T = lambda key: tr(i18n, "nl", key)  # noqa: E731
    later = book_today(site, "11:00")
    gone = book_today(site, "11:30")
    site.api("DELETE", f"/appointments/{gone['reference']}?token={gone['manageToken']}", expect=200)

    early = checkin_problem(site, later["reference"])
    assert early["code"] == "too_early", early
    assert set(early) <= {"type", "code", "title", "detail", "status", "appointmentStart", "checkInOpens"}, early
    b = open_kiosk(site, browser, "problems-kiosk-early")
    title, lines = check_in_on_kiosk(b, later["reference"])
    opens, start = early["checkInOpens"][11:16], early["appointmentStart"][11:16]
    assert title == T("kiosk.err.tooEarly.title")
    assert lines == [fill(T("kiosk.err.tooEarly.from"), when=fill(T("common.todayAt"), time=opens)),
                     fill(T("kiosk.err.appointmentAt"), when=fill(T("common.todayAt"), time=start))], lines
    b.shot("kiosk-problem-too-early")

    # The language switch on the message screen says it again in the new language.
    b.click("lang-fr")
    b.wait_text("message-title", tr(i18n, "fr", "kiosk.err.tooEarly.title"))
    b.click("btn-back")

    # Still in French (only "done" or the idle time-out bring the kiosk's own language back).
    assert checkin_problem(site, gone["reference"])["code"] == "cancelled"
    title, lines = check_in_on_kiosk(b, gone["reference"])
    assert title == tr(i18n, "fr", "kiosk.err.cancelled.title")
    assert lines == [tr(i18n, "fr", "kiosk.err.cancelled.text")]
    b.assert_no_console_errors()


def test_kiosk_explains_a_missed_appointment(site, browser, i18n):
    """Checked in, called, marked no-show at the counter: checking in again answers
    `appointment_missed`, and the kiosk explains it."""
    T = lambda key: tr(i18n, "nl", key)  # noqa: E731
    appt = site.appointments[0]
    clerk = site.token("clerk")
    ticket = site.post("/checkins", token=site.token("kiosk"), json={"reference": appt.reference, "location": LOCATION},
                       expect=201).json()
    site.post("/counters/stadhuis-1/open", token=clerk, expect=200)
    called = site.post("/counters/stadhuis-1/call-next", token=clerk, expect=200).json()
    assert called["id"] == ticket["id"], called
    site.post(f"/tickets/{ticket['id']}/no-show", token=clerk, expect=200)

    problem = checkin_problem(site, appt.reference)
    assert problem["code"] == "appointment_missed", problem
    assert problem["appointmentStart"], problem
    stem = "appointmentMissed"
    b = open_kiosk(site, browser, "problems-kiosk-missed")
    title, lines = check_in_on_kiosk(b, appt.reference)
    assert title == T(f"kiosk.err.{stem}.title")
    assert lines == [T(f"kiosk.err.{stem}.text")]
    b.shot("kiosk-problem-missed")
    b.assert_no_console_errors()


# ------------------------------------------------------------------------------ booking, live


def test_book_says_when_a_contact_has_too_many_appointments(site, browser, i18n):
    """contact_limit is a 409 like slot_unavailable, but choosing another time cannot help: the
    form stays and says why, instead of sending the citizen back to the calendar."""
    email = "limit@example.be"
    slots = site.get(f"/availability?service={SERVICE}&location={LOCATION}&from=2026-12-02&to=2026-12-04",
                     expect=200).json()["slots"]
    for slot in slots[:3]:   # settings.yaml: maxActivePerContact 3
        site.post("/appointments", expect=201, json={"service": SERVICE, "location": LOCATION, "start": slot["start"],
                                                     "persons": 1, "name": "Limit Test", "email": email, "lang": "nl"})
    b = browser("book-contact-limit", 390, 844, mobile=True)
    b.allow_console(r"/api/v1/appointments.* 409")
    b.get(site.page("/book"))
    book_to_form(b, "identiteit")
    b.tid("input-name").send_keys("Limit Test")
    b.tid("input-email").send_keys(email)
    b.click("btn-book")
    b.wait_text("page-error", tr(i18n, "nl", "book.err.contactLimit"))
    assert b.visible("view-form") and not b.visible("view-calendar")
    b.assert_no_console_errors()
