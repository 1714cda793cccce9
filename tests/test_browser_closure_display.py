"""A runtime closure on the lobby display: the notice appears live when an admin closes the
location, in the page's language with its reason and end, passes axe, and goes away live when the
closure is lifted (no reload; the display hears the `closure` event). The kiosk's walk-in services
close and open again the same way."""
from __future__ import annotations

import pytest

from conftest import LOCATION, SERVE_CLOCK, LoketServer, make_token


@pytest.fixture(scope="module")
def own_server(loket_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("closure-display")
    srv = LoketServer(tmp / "db.sqlite", SERVE_CLOCK, tmp / "serve.log")
    yield srv, make_token(tmp / "db.sqlite", "admin", "closure-admin"), make_token(tmp / "db.sqlite", "kiosk", "closure-kiosk")
    srv.stop()


def test_closure_notice_appears_and_goes_live(own_server, browser, axe_run):
    srv, admin, _ = own_server
    b = browser("closure-display", 1920, 1080)
    b.get(srv.page(f"/display/{LOCATION}?lang=fr"))
    b.tid("current-number")
    b.wait_text("location-name", lambda s: bool(s.strip()))
    assert not b.visible("closure-notice"), "no notice while the town hall is open"

    # 2026-12-01 09:00 (the server's clock): closed until 11:30 the same day.
    res = srv.post("/admin/closures", token=admin, expect=201, json={
        "location": LOCATION, "from": "2026-12-01T08:00:00+01:00", "to": "2026-12-01T11:30:00+01:00",
        "reason": {"nl": "Stroompanne", "fr": "Panne de courant", "en": "Power cut", "de": "Stromausfall"},
        "affected": "cancel"})
    closure = res.json()["id"]

    # The reason in each of the display's languages, the page's own first, each marked with its language.
    b.wait_text("closure-reason", lambda s: s.startswith("Panne de courant"), timeout=10)
    assert b.visible("closure-notice")
    assert "11:30" in b.text_of("closure-until")
    spans = b.driver.find_elements("css selector", "#closure-reason span")
    assert [(e.get_attribute("lang"), e.text) for e in spans][0] == ("fr", "Panne de courant")
    assert ("nl", "Stroompanne") in [(e.get_attribute("lang"), e.text) for e in spans]
    assert b.driver.find_element("css selector", "#closure").get_attribute("role") == "status"
    b.shot("closure-notice")
    violations = axe_run(b, "display with a closure notice")
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations

    srv.api("DELETE", f"/admin/closures/{closure}", token=admin, expect=200)
    b.wait(10).until(lambda d: not d.find_element("css selector", "#closure").is_displayed())
    assert srv.get(f"/locations/{LOCATION}/display").json()["closure"] is None


def test_kiosk_services_close_and_reopen_live(own_server, browser):
    srv, admin, kiosk = own_server
    b = browser("closure-kiosk", 1080, 1920)
    b.get(srv.page(f"/kiosk/{LOCATION}?setup={kiosk}&print=0"))
    b.tid("services")
    b.wait(15).until(lambda d: not d.find_element("css selector", "#services-empty").is_displayed()
                     and d.find_element("css selector", "#services").find_elements("css selector", "button"))

    res = srv.post("/admin/closures", token=admin, expect=201, json={
        "location": LOCATION, "from": "2026-12-01T08:30:00+01:00", "to": "2026-12-01T10:00:00+01:00",
        "reason": "Stroompanne", "affected": "cancel"})
    b.wait(10).until(lambda d: d.find_element("css selector", "#services-empty").is_displayed())
    assert not b.driver.find_element("css selector", "#services").find_elements("css selector", "button")

    srv.api("DELETE", f"/admin/closures/{res.json()['id']}", token=admin, expect=200)
    b.wait(10).until(lambda d: not d.find_element("css selector", "#services-empty").is_displayed())
    assert b.driver.find_element("css selector", "#services").find_elements("css selector", "button")
