"""The manager's dashboard on /admin in headless Chromium: today's figures move live (a ticket issued
and called through the API, no reload), a token is shown once and revoked, the audit log filters,
the chart module (kiosk/js/charts.js) draws an accessible SVG figure from fixed data, axe-core in
nl and en at 1366×768, translated headings in fr and de.

The dashboard runs on a server of its own (own database), so its queue moves only by what these
tests do. `TestDashboardHistory` draws from GET /api/v1/stats/range and /stats/export.csv.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import Select

from conftest import LOCATION, SERVE_CLOCK, SERVICE, Browser, LoketServer, Site, describe, tr
from test_browser_admin import allow_missing_apis, set_input, sign_in, wait_loaded

pytestmark = pytest.mark.browser

ADMIN = "dash-admin"


@pytest.fixture(scope="module")
def dash(loket_bin, tmp_path_factory) -> Site:
    tmp = tmp_path_factory.mktemp("loket-dashboard")
    db = tmp / "db.sqlite"
    srv = LoketServer(db, SERVE_CLOCK, tmp / "serve.log")
    site = Site(srv, db)
    yield site
    srv.stop()


def admin(site) -> str:
    return site.token("admin", ADMIN)


def signed_in(b: Browser, site, lang: str | None = None):
    allow_missing_apis(b, site, admin(site))
    sign_in(b, site, admin(site), lang=lang)
    b.tid("view-admin")
    # The locations arrive after the view shows; the list may be redrawn once meanwhile.
    b.wait(15).until(lambda d: d.execute_script(
        "return !!document.querySelector(`#select-location option[value='${arguments[0]}']`)", LOCATION),
        "the location list never loaded")
    b.driver.execute_script(
        "const s = document.querySelector('#select-location'); s.value = arguments[0]; s.dispatchEvent(new Event('change'))",
        LOCATION)
    wait_loaded(b, "closures", "waitlist", "outbox", "tokens")
    b.wait(15).until(lambda d: d.execute_script(
        "return !document.querySelector('#today-body').hidden"), "today's figures never loaded")


def figure(b: Browser, key: str) -> str:
    return b.driver.execute_script(
        "return document.querySelector(`[data-testid='today-figure-${arguments[0]}'] dd`).textContent", key)


def waiting_for_service(b: Browser, service: str) -> str | None:
    return b.driver.execute_script(
        "const r = document.querySelector(`[data-testid='today-service-${arguments[0]}'] td`); return r && r.textContent",
        service)


# ------------------------------------------------------------------------------ today, live


def test_today_moves_live_when_a_ticket_is_issued_and_called(dash, browser, i18n):
    b = browser("dash-today", 1366, 768)
    signed_in(b, dash)
    b.driver.execute_script("window.__sameDocument = true")
    assert b.wait_text("today-live", tr(i18n, "nl", "admin.today.live"), timeout=15)
    before = int(figure(b, "waiting"))
    assert figure(b, "tickets") == str(before)   # a fresh server: every ticket still waits
    assert b.text_of("today-counter-stadhuis-1").count(tr(i18n, "nl", "admin.today.state.closed")) == 1

    ticket = dash.issue_ticket()
    b.wait(10).until(lambda d: figure(b, "waiting") == str(before + 1), "the waiting count did not move without a reload")
    assert waiting_for_service(b, SERVICE) == str(before + 1)
    assert figure(b, "tickets") == str(before + 1)

    clerk = dash.token("clerk", "dash-clerk")
    dash.post("/counters/stadhuis-1/open", token=clerk, expect=200)
    called = dash.post("/counters/stadhuis-1/call-next", token=clerk, expect=200).json()
    assert called["number"] == ticket["number"]
    b.wait(10).until(lambda d: figure(b, "waiting") == str(before), "the call did not reach the page")
    # Read in one script: the live list is redrawn on every event, so a held element goes stale.
    row = lambda: b.driver.execute_script(  # noqa: E731
        "return document.querySelector(\"[data-testid='today-counter-stadhuis-1']\")?.innerText || ''")
    b.wait(10).until(lambda d: ticket["number"] in row() and tr(i18n, "nl", "admin.today.state.open") in row(),
                     "the counter row does not show the called number")

    # Served and no-show rate move when the ticket ends as a no-show.
    dash.post(f"/tickets/{ticket['id']}/no-show", token=clerk, expect=200)
    b.wait(10).until(lambda d: figure(b, "noShowRate").startswith("100") and "(1)" in figure(b, "noShowRate"),
                     "the no-show rate did not move")
    dash.post("/counters/stadhuis-1/close", token=clerk, expect=200)
    b.wait(10).until(lambda d: tr(i18n, "nl", "admin.today.state.closed") in row(), "the counter's state did not move")
    assert b.driver.execute_script("return window.__sameDocument === true"), "the page was reloaded"
    b.assert_no_console_errors()


# ------------------------------------------------------------------------------ tokens


def test_a_token_is_shown_once_and_revoked(dash, browser, i18n):
    b = browser("dash-tokens", 1366, 768)
    signed_in(b, dash)
    b.tid("token-name").send_keys("kiosk-hal-2")
    Select(b.tid("token-role")).select_by_value("kiosk")
    b.click("btn-token-add")
    b.tid("token-new")
    token = b.tid("token-new-value").get_attribute("value")
    assert len(token) >= 20
    assert b.driver.execute_script("return document.activeElement.id") == "token-new-title"
    # The token works as a kiosk token, and the list never shows it.
    dash.post("/tickets", token=token, json={"location": LOCATION, "service": SERVICE}, expect=201)
    b.tid("token-row-kiosk-hal-2")
    assert token not in b.text_of("tokens-list")
    listed = dash.get("/admin/tokens", token=admin(dash), expect=200)
    assert token not in listed.text
    b.click("btn-token-done")
    assert not b.visible("token-new")
    assert b.driver.execute_script("return document.querySelector('#token-new-value').value") == ""

    # Revoke, confirmed in the browser's dialog.
    b.click("btn-revoke-kiosk-hal-2")
    alert = b.wait(5).until(lambda d: d.switch_to.alert)
    assert "kiosk-hal-2" in alert.text
    alert.accept()
    b.wait(10).until(lambda d: b.tid("token-row-kiosk-hal-2").get_attribute("data-revoked") == "true", "not revoked")
    assert tr(i18n, "nl", "admin.tokens.revoked") in b.text_of("token-row-kiosk-hal-2")
    assert not b.present("btn-revoke-kiosk-hal-2")
    assert dash.post("/tickets", token=token, json={"location": LOCATION, "service": SERVICE}).status_code == 401

    # A bad name is said at the field, and nothing is made.
    before = len(dash.get("/admin/tokens", token=admin(dash), expect=200).json())
    b.tid("token-name").send_keys("a/b")
    b.click("btn-token-add")
    b.wait_text("token-name-error", tr(i18n, "nl", "admin.tokens.nameRule"))
    assert b.tid("token-name").get_attribute("aria-invalid") == "true"
    assert len(dash.get("/admin/tokens", token=admin(dash), expect=200).json()) == before
    b.allow_console(r"/api/v1/admin/tokens - Failed to load resource: .* 422")

    # Signing out while a new token is on screen leaves nothing of it for whoever signs in next.
    b.tid("token-name").clear()
    b.tid("token-name").send_keys("left-on-screen")
    b.click("btn-token-add")
    secret = b.tid("token-new-value").get_attribute("value")
    assert secret
    b.click("btn-sign-out")
    b.tid("view-signin")
    assert secret not in b.driver.page_source
    assert b.driver.execute_script("return document.querySelector('#token-new-value').value") == ""
    b.assert_no_console_errors()


# ------------------------------------------------------------------------------ audit


def test_audit_log_filters_by_action_and_actor(dash, browser, i18n):
    made = dash.post("/admin/tokens", token=admin(dash), json={"role": "clerk", "name": "audit-probe"}, expect=201).json()
    dash.api("DELETE", "/admin/tokens/audit-probe", token=admin(dash), expect=200)
    dash.issue_ticket()
    b = browser("dash-audit", 1366, 768)
    signed_in(b, dash)
    wait_loaded(b, "audit")
    actions = lambda: b.driver.execute_script(  # noqa: E731
        "return [...document.querySelectorAll('[data-testid=audit-row]')].map(r => r.dataset.action)")
    everything = actions()
    assert "token.add" in everything and "ticket.issue" in everything

    set_input(b, "audit-action", "token.")
    b.click("btn-audit-filter")
    b.wait(10).until(lambda d: actions() and all(a.startswith("token.") for a in actions()), "the action filter did not apply")
    assert "token.revoke" in actions()
    assert made["token"] not in b.text_of("audit-list")

    set_input(b, "audit-action", "")
    set_input(b, "audit-actor", "browser-test-kiosk")
    b.click("btn-audit-filter")
    b.wait(10).until(lambda d: actions() and set(actions()) == {"ticket.issue"}, "the actor filter did not apply")

    set_input(b, "audit-actor", "nobody-at-all")
    b.click("btn-audit-filter")
    b.wait_text("audit-state", tr(i18n, "nl", "admin.audit.empty"))
    assert not b.visible("audit-table")
    b.assert_no_console_errors()


# ------------------------------------------------------------------------------ the chart module

FIXED = {
    "id": "probe", "kind": "bars", "title": "Tickets per dag", "summary": "Van 1 tot 3 december: 9 tickets.",
    "periodLabel": "Dag", "labels": ["1 dec", "2 dec", "3 dec"],
    "series": [{"label": "Tickets", "values": [2, 0, 7]}, {"label": "Geholpen", "values": [1, None, 5]}],
}


def draw(b: Browser, spec: dict) -> dict:
    """Imports charts.js into the page, draws spec into the body and reports what was drawn."""
    return b.driver.execute_async_script("""
        const [spec, done] = arguments;
        import('/static/js/charts.js').then((m) => {
          const fig = m.chartFigure(spec);
          document.querySelector('main').append(fig);
          const svg = fig.querySelector('svg');
          const labelled = (svg.getAttribute('aria-labelledby') || '').split(' ').map((id) => document.getElementById(id));
          done({
            figureId: fig.id, role: svg.getAttribute('role'),
            title: svg.querySelector(':scope > title')?.textContent, desc: svg.querySelector(':scope > desc')?.textContent,
            labelledBy: labelled.map((e) => e && e.textContent),
            summary: fig.querySelector('.chart-summary').textContent,
            head: [...fig.querySelectorAll('thead th')].map((e) => e.textContent),
            rows: [...fig.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent)),
            bars: [...svg.querySelectorAll('.chart-bars rect')].map((r) => Number(r.dataset.value)),
            heights: [...svg.querySelectorAll('.chart-bars rect')].map((r) => Number(r.getAttribute('height'))),
            lines: svg.querySelectorAll('.chart-lines polyline').length,
            points: [...svg.querySelectorAll('.chart-lines [data-value]')].map((p) => Number(p.dataset.value)),
            axis: [...svg.querySelectorAll('.chart-grid text')].map((e) => e.textContent),
          });
        }).catch((e) => done({error: String(e)}));
    """, spec)


def test_chart_module_draws_an_accessible_svg_for_fixed_data(dash, browser):
    b = browser("dash-charts", 1366, 768)
    b.get(dash.page("/admin"))
    b.tid("view-signin")
    got = draw(b, FIXED)
    assert "error" not in got, got
    assert got["figureId"] == "probe"
    assert got["role"] == "img"
    assert got["title"] == "Tickets per dag"
    assert got["desc"] == FIXED["summary"]
    assert got["labelledBy"] == ["Tickets per dag", FIXED["summary"]]
    assert got["summary"] == FIXED["summary"]
    assert got["head"] == ["Dag", "Tickets", "Geholpen"]
    assert got["rows"] == [["1 dec", "2", "1"], ["2 dec", "0", "—"], ["3 dec", "7", "5"]]
    # One bar per value (a missing value draws none); heights in proportion to the values.
    assert sorted(got["bars"]) == [0, 1, 2, 5, 7]
    by_value = dict(zip(got["bars"], got["heights"]))
    assert by_value[0] == 0
    assert abs(by_value[7] / by_value[1] - 7) < 0.05

    lines = draw(b, {**FIXED, "id": "probe-lines", "kind": "lines", "unit": "min",
                     "series": [{"label": "p50", "values": [4, None, 6]}, {"label": "p90", "values": [9, 11, 12]}]})
    assert "error" not in lines, lines
    # A missing value breaks the line: p50 has two lone points and no line, p90 one line of three.
    assert lines["lines"] == 1
    assert sorted(lines["points"]) == [4, 6, 9, 11, 12]
    assert lines["rows"][1] == ["2 dec", "—", "11 min"]
    assert lines["axis"] == ["0", "10", "20"]   # 12 rounds up to a nice 20

    # Counts of at most 1 still get a whole-number axis (0, 1, 2), never a "0.5" or a repeated "1".
    counts = draw(b, {**FIXED, "id": "probe-counts", "integers": True,
                      "series": [{"label": "Tickets", "values": [0, 1, 0]}]})
    assert counts["axis"] == ["0", "1", "2"]
    b.assert_no_console_errors()


# ------------------------------------------------------------------------------ accessibility and languages


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_axe_finds_no_violations_on_the_dashboard(lang, dash, browser, axe_run):
    b = browser(f"dash-axe-{lang}", 1366, 768)
    signed_in(b, dash, lang)
    wait_loaded(b, "audit")
    # A token shown once, and charts (drawn from fixed data where the history API is not there yet).
    b.tid("token-name").send_keys(f"axe-{lang}")
    b.click("btn-token-add")
    b.tid("token-new")
    if not b.driver.execute_script("return document.querySelector('#history-charts svg') !== null"):
        b.driver.execute_async_script("""
            const [spec, done] = arguments;
            import('/static/js/charts.js').then((m) => {
              document.querySelector('#history-charts').append(m.chartFigure(spec),
                m.chartFigure({...spec, id: 'probe-wait', kind: 'lines'}));
              done();
            });
        """, FIXED)
    b.shot(f"dashboard-{lang}", full=True)
    found = axe_run(b, f"dashboard-{lang}")
    assert not found, describe(found)
    # At 1366×768 nothing makes the page scroll sideways.
    assert b.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    b.assert_no_console_errors()


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_dashboard_headings_in_language(lang, dash, browser, i18n):
    T = lambda key: tr(i18n, lang, key)  # noqa: E731
    b = browser(f"dash-{lang}", 1366, 768)
    signed_in(b, dash, lang)
    for el, key in [("#today-title", "admin.today.title"), ("#history-title", "admin.history.title"),
                    ("#tokens-title", "admin.tokens.title"), ("#audit-title", "admin.audit.title"),
                    ("#today-services-title", "admin.today.services"), ("#today-counters-title", "admin.today.counters"),
                    ("label[for=token-name]", "admin.tokens.name"), ("label[for=audit-action]", "admin.audit.action")]:
        assert b.css(el).text == T(key), el
        assert T(key) != tr(i18n, "nl", key), key
    assert T("admin.today.fig.longest") in b.text_of("today-figure-longest")
    assert b.text_of("btn-history-csv") == T("admin.history.csv")
    b.assert_no_console_errors()


# ------------------------------------------------------------------------------ history


class TestDashboardHistory:
    """Charts, summary, table and CSV from GET /stats/range and /stats/export.csv."""

    def test_charts_follow_the_range_api(self, dash, browser, i18n):
        dash.issue_ticket()
        b = browser("dash-history", 1366, 768)
        signed_in(b, dash)
        set_input(b, "history-from", "2026-11-25")
        set_input(b, "history-to", "2026-12-01")
        Select(b.tid("history-by")).select_by_value("day")
        b.click("btn-history-show")
        b.tid("history-volume-svg", timeout=15)
        answer = dash.get(f"/stats/range?from=2026-11-25&to=2026-12-01&location={LOCATION}&by=day", token=admin(dash),
                          expect=200).json()
        totals = sorted((r for r in answer["totals"] if r["location"] == LOCATION), key=lambda r: r["period"])
        rows = b.driver.execute_script(
            "return [...document.querySelectorAll('[data-testid=history-volume-table] tbody tr')]"
            ".map(r => [...r.querySelectorAll('td')].map(c => c.textContent))")
        assert rows == [[str(r["tickets"]), str(r["served"]), str(r["noShows"])] for r in totals]
        assert b.driver.execute_script("return document.querySelector('[data-testid=history-volume-svg] > title').textContent") \
            == tr(i18n, "nl", "admin.history.volumeDay")
        assert str(sum(r["tickets"] for r in totals)) in b.text_of("history-volume-summary")
        b.tid("history-wait-svg")

        # By week: one row per ISO week (its Monday), labelled with the week number.
        Select(b.tid("history-by")).select_by_value("week")
        b.click("btn-history-show")
        weeks = dash.get(f"/stats/range?from=2026-11-25&to=2026-12-01&location={LOCATION}&by=week", token=admin(dash),
                         expect=200).json()["totals"]
        week_rows = lambda: b.driver.execute_script(  # noqa: E731
            "return [...document.querySelectorAll('[data-testid=history-volume-table] tbody th')].map(c => c.textContent)")
        b.wait(10).until(lambda d: len(week_rows()) == len([w for w in weeks if w["location"] == LOCATION]), "no weekly rows")
        assert week_rows()[-1].startswith(tr(i18n, "nl", "admin.history.week").split("{")[0] + "49")  # 2026-11-30 is in ISO week 49
        b.shot("dashboard-history")

        # Download CSV: fetched with the token, saved under the server's file name, a real download
        # under the page's Content-Security-Policy.
        downloads = Path(tempfile.mkdtemp(prefix="loket-csv-"))
        b.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        b.click("btn-history-csv")
        done = lambda: [p for p in downloads.iterdir() if p.suffix == ".csv"]  # noqa: E731
        b.wait(10).until(lambda d: done(), "no download")
        saved = done()[0]
        raw = saved.read_bytes()
        got = {"name": saved.name, "bytes": list(raw[:3]), "text": raw.decode("utf-8-sig")}
        shutil.rmtree(downloads, ignore_errors=True)
        assert got["name"].endswith(".csv")
        assert got["bytes"] == [0xEF, 0xBB, 0xBF], "UTF-8 with a BOM"
        assert ";" in got["text"]
        b.assert_no_console_errors()
