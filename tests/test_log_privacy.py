"""Log privacy (issue 13): no token, manage token, name or e-mail address a test used reaches a server log.

The whole run is checked at its end: conftest records every server log (LoketServer) and every secret
sent or received through its helpers (make_token, and the JSON of LoketServer.api: citizens' names,
e-mail addresses and phone numbers, manage and waitlist tokens), and `pytest_sessionfinish` greps
every log for every secret and fails the run on a hit. The servers log at debug (LOKET_TEST_LOG_LEVEL),
so each request's line is there to be read. These tests check the checker, and the shared server's
log after a citizen's whole appointment life.
"""
import json

import conftest
from conftest import LOCATION, SERVICE, TODAY, leaks_in_logs, remember_secret


def test_the_grep_finds_each_kind_of_secret_and_only_those(tmp_path):
    log = tmp_path / "serve.log"
    log.write_text("info loket: POST /api/v1/appointments 201\n"
                   "debug loket: mail for zoë.test@example.be\n"
                   "info loket: Bearer lkt_secret_123456 used\n"
                   "info loket: GET /api/v1/tickets/abc 200\n", "utf-8")
    secrets = {"zoë.test@example.be": "citizen email", "lkt_secret_123456": "clerk token",
               "Zoë Nowhere": "citizen name", "never-logged-token": "manageToken"}
    leaks = leaks_in_logs([log], secrets)
    assert len(leaks) == 2, leaks
    assert any("citizen email" in x for x in leaks) and any("clerk token" in x for x in leaks)
    assert leaks_in_logs([tmp_path / "clean.log"], secrets) == []   # a log never written is no leak


def test_names_are_also_looked_for_json_escaped(tmp_path):
    before = dict(conftest.SECRETS)
    try:
        remember_secret("Anaïs Lefèvre", "citizen name")
        assert conftest.SECRETS["Ana\\u00efs Lef\\u00e8vre"].startswith("citizen name")
        log = tmp_path / "serve.log"
        log.write_text('error loket: body {"name":"Ana\\u00efs Lef\\u00e8vre"}\n', "utf-8")
        assert leaks_in_logs([log], {k: v for k, v in conftest.SECRETS.items() if "Ana" in k})
    finally:
        conftest.SECRETS.clear()
        conftest.SECRETS.update(before)


def test_a_citizens_booking_life_leaves_no_secret_in_the_server_log(server):
    slots = server.get(f"/availability?service={SERVICE}&location={LOCATION}&from=2026-12-03&to=2026-12-03",
                       expect=200).json()["slots"]
    body = {"service": SERVICE, "location": LOCATION, "start": slots[0]["start"], "persons": 1,
            "name": "Noëlle Log-Privacy", "email": "noelle.privacy@example.be", "phone": "+32470123456", "lang": "fr"}
    a = server.post("/appointments", json=body, expect=201).json()
    for key in ("name", "email", "phone"):
        assert body[key] in conftest.SECRETS, f"the booking's {key} was not recorded for the log check"
    assert a["manageToken"] in conftest.SECRETS
    ref, tok = a["reference"], a["manageToken"]
    server.get(f"/appointments/{ref}?token={tok}", expect=200)
    server.get(f"/appointments/{ref}/calendar.ics?token={tok}", expect=200)
    server.post(f"/appointments/{ref}/reschedule?token={tok}", json={"start": slots[1]["start"]}, expect=200)
    server.get(f"/appointments/{ref}?token=wrong-{tok}", expect=404)
    server.api("DELETE", f"/appointments/{ref}?token={tok}", expect=200)
    clerk = server.token("clerk")
    server.post("/counters/stadhuis-1/open", token=clerk, expect=200)
    server.get("/me", token=clerk, expect=200)
    server.get("/me", token=clerk + "x", expect=401)
    log = server.server.log_path.read_text("utf-8", "replace")
    assert f"/api/v1/appointments/{ref}/reschedule" in log, "the server log should record each request (debug level)"
    leaks = leaks_in_logs(conftest.SERVER_LOGS, conftest.SECRETS)
    assert leaks == [], "\n".join(leaks)


def test_refused_and_malformed_bookings_leave_no_secret_in_the_server_log(server):
    name, email = "Björn Refused-Log", "bjorn.refused@example.be"
    remember_secret(name, "citizen name")
    remember_secret(email, "citizen email")
    slots = server.get(f"/availability?service={SERVICE}&location={LOCATION}&from=2026-12-04&to=2026-12-04",
                       expect=200).json()["slots"]
    good = {"service": SERVICE, "location": LOCATION, "start": slots[0]["start"], "persons": 1, "name": name,
            "email": email}
    server.post("/appointments", json={**good, "start": "2026-12-04T03:07:00+01:00"}, expect=(409, 422))
    server.post("/appointments", json={**good, "persons": "two"}, expect=(400, 422))
    server.post("/appointments", json={**good, "email": name}, expect=(400, 422))
    server.post("/appointments", data=json.dumps(good)[:-9], headers={"Content-Type": "application/json"},
                expect=(400, 422))
    server.post("/waitlist", json={"service": SERVICE, "location": LOCATION, "from": "2026-12-04", "to": "2026-12-03",
                                   "persons": 1, "email": email, "name": name}, expect=(400, 422))
    log = server.server.log_path.read_text("utf-8", "replace")
    assert "POST /api/v1/waitlist 4" in log, "the refused requests should be in the log (debug level)"
    leaks = leaks_in_logs(conftest.SERVER_LOGS, conftest.SECRETS)
    assert leaks == [], "\n".join(leaks)
