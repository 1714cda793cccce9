"""The ticket page on a phone warns its citizen: "almost your turn" when three or fewer are ahead,
and "go to counter 6" when called, each exactly once, with a tune (Web Audio), a vibration and a
system notification, and in text on the page; a reload repeats none of them.

Headless Chromium has no speakers, no vibration motor and no notification centre, so a small
script injected before the page's own (ALERT_STUB) replaces AudioContext, navigator.vibrate and
Notification by counters. The queue is the social desk's (sociaal-onthaal, prefix S) at counter
stadhuis-6, which no other test uses, so the positions are this test's own.
"""

from __future__ import annotations

import re
import time

import pytest

from conftest import describe, serious, tr

pytestmark = pytest.mark.browser

SERVICE = "sociaal-onthaal"
COUNTER = "stadhuis-6"
COUNTER_NAME = "6"
AHEAD = 5            # tickets issued before ours: it starts at position 6, beyond "almost" (<= 4)

ALERT_STUB = r"""
(() => {
  const c = window.__alerts = {tones: 0, contexts: 0, vibrations: [], notifications: [], permissionAsks: 0};
  const KEY = '__stub.notification.permission';   // a granted permission outlives a reload, as in a browser
  class FakeNotification {
    constructor(title, options = {}) { c.notifications.push({title, body: options.body || '', tag: options.tag || ''}); }
    static get permission() { return sessionStorage.getItem(KEY) || 'default'; }
    static requestPermission() {
      c.permissionAsks++;
      sessionStorage.setItem(KEY, 'granted');
      return Promise.resolve('granted');
    }
    close() {}
  }
  window.Notification = FakeNotification;
  Object.defineProperty(Navigator.prototype, 'vibrate', {
    configurable: true, writable: true,
    value: function (pattern) { c.vibrations.push(pattern); return true; },
  });
  const param = () => ({value: 0, setValueAtTime() {}, linearRampToValueAtTime() {}, exponentialRampToValueAtTime() {}});
  const node = () => ({connect(x) { return x; }, disconnect() {}});
  class FakeAudioContext {
    constructor() { c.contexts++; this.state = 'running'; this.currentTime = 0; this.destination = node(); }
    resume() { return Promise.resolve(); }
    close() { return Promise.resolve(); }
    createGain() { return {...node(), gain: param()}; }
    createOscillator() {
      return {...node(), type: 'sine', frequency: param(), onended: null, start() { c.tones++; }, stop() {}};
    }
  }
  window.AudioContext = FakeAudioContext;
  window.webkitAudioContext = FakeAudioContext;
})();
"""


def counts(b) -> dict:
    return b.driver.execute_script(
        "const c = window.__alerts; return {tones: c.tones, vibrations: c.vibrations.length,"
        " notifications: c.notifications.map(n => n.title + ' | ' + n.body), asks: c.permissionAsks}")


def wait_counts(b, want: dict, timeout: float = 6) -> dict:
    seen = {}

    def ok(_):
        seen.update(counts(b))
        return all((len(seen[k]) if isinstance(seen[k], list) else seen[k]) == v for k, v in want.items())

    try:
        b.wait(timeout).until(ok)
    except Exception as e:
        raise AssertionError(f"alert counts never became {want}; last seen {seen}") from e
    return seen


def log_items(b) -> list[str]:
    return [el.text for el in b.driver.find_elements("css selector", '[data-testid="alert-log-item"]') if el.is_displayed()]


def filled(template: str, **values) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)


def ticket_of(server, tid: str) -> dict:
    return server.get(f"/tickets/{tid}", expect=200).json()


@pytest.fixture
def social_desk(server, clerk_token):
    """Counter 6 open and free, nobody waiting for it; closed again afterwards."""
    server.post(f"/counters/{COUNTER}/open", token=clerk_token, expect=200)

    def drain():
        for _ in range(50):
            res = server.post(f"/counters/{COUNTER}/call-next", token=clerk_token, expect=(200, 204))
            if res.status_code == 204:
                return
            server.post(f"/tickets/{res.json()['id']}/finish", token=clerk_token, expect=200)

    drain()
    yield
    drain()
    server.post(f"/counters/{COUNTER}/close", token=clerk_token, expect=(200, 409))


def test_ticket_page_alerts_once_each_and_not_again_after_reload(server, clerk_token, browser, i18n, axe_run,
                                                                  social_desk):
    T = lambda key, **kw: filled(tr(i18n, "nl", key), **kw)  # noqa: E731
    issue = lambda: server.issue_ticket(service=SERVICE)  # noqa: E731
    ahead = [issue() for _ in range(AHEAD)]
    mine = issue()
    assert ticket_of(server, mine["id"])["position"] == AHEAD + 1

    b = browser("ticket-alerts", 390, 844, mobile=True, probe=True)
    b.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ALERT_STUB})
    b.get(server.page(f"/t/{mine['id']}"))
    b.wait_text("ticket-number", mine["number"])
    b.wait_text("ticket-position", str(AHEAD + 1))
    b.wait(10).until(lambda d: d.execute_script("return window.__probe.sseOpen") >= 1,
                     "the ticket page never opened its event stream")
    # Nothing asked or sounded on load; the button offers the warnings.
    assert counts(b) == {"tones": 0, "vibrations": 0, "notifications": [], "asks": 0}
    assert b.text_of("btn-warn") == T("ticket.warn.button")
    assert b.text_of("warn-intro") == T("ticket.warn.intro", n=3)
    assert not b.visible("ticket-almost") and not b.visible("alert-log-box")
    b.shot("ticket-alerts-1-waiting", full=True)
    bad = serious(axe_run(b, "ticket-alerts-waiting"))
    assert not bad, describe(bad)

    # The button: permission asked once, a sample of the tune, and the page says what is on.
    b.click("btn-warn")
    wait_counts(b, {"asks": 1, "tones": 1})
    b.wait_text("warn-status", T("ticket.warn.on", list="geluid, trilling en melding"))
    assert b.text_of("btn-warn") == T("ticket.warn.test")
    assert not b.visible("warn-intro")
    assert counts(b)["vibrations"] == 0 and counts(b)["notifications"] == []
    b.shot("ticket-alerts-2-armed", full=True)

    # The clerk calls the ones ahead, one by one; the page follows every position.
    almost_at = None
    for other in ahead:
        called = server.post(f"/counters/{COUNTER}/call-next", token=clerk_token, expect=200).json()
        assert called["id"] == other["id"], f"called {called['number']}, expected {other['number']}"
        server.post(f"/tickets/{other['id']}/finish", token=clerk_token, expect=200)
        pos = ticket_of(server, mine["id"])["position"]
        b.wait_text("ticket-position", str(pos), timeout=8, what=f"position {pos}")
        if pos <= 4:
            almost_at = almost_at or pos
            b.tid("ticket-almost", timeout=5)
            # Exactly one "almost" alert, however many updates came after it.
            c = wait_counts(b, {"tones": 2, "vibrations": 1, "notifications": 1})
            assert c["notifications"] == [f"{mine['number']}: bijna uw beurt | {T('ticket.almost.text', n=3)}"]
            if pos == 4:
                b.shot("ticket-alerts-3-almost", full=True)
        else:
            assert not b.visible("ticket-almost")
            assert counts(b)["tones"] == 1
    assert almost_at == 4, f"the first position at or under 4 was {almost_at}"
    assert b.text_of("ticket-status") == T("ticket.status.next")
    assert b.css("#almost .t-almost-title").text == T("ticket.almost.title")
    assert b.driver.title == f"{mine['number']} – {T('ticket.almost.title')}"
    items = log_items(b)
    assert len(items) == 1, items
    assert re.fullmatch(r"\d\d:\d\d – " + re.escape(
        T("ticket.alert.almost", n=3) + " " + T("ticket.alert.via", list="geluid, trilling en melding")), items[0]), items
    bad = serious(axe_run(b, "ticket-alerts-almost"))
    assert not bad, describe(bad)

    # Called: the second alert, with its own tune, pattern and notification.
    called = server.post(f"/counters/{COUNTER}/call-next", token=clerk_token, expect=200).json()
    assert called["id"] == mine["id"]
    b.tid("ticket-called", timeout=5)
    c = wait_counts(b, {"tones": 3, "vibrations": 2, "notifications": 2})
    assert c["notifications"][1] == f"{mine['number']}: het is uw beurt | Ga naar loket {COUNTER_NAME}"
    vib = b.driver.execute_script("return window.__alerts.vibrations")
    assert len(vib[1]) > len(vib[0]), f"the call should vibrate longer than 'almost': {vib}"
    assert b.text_of("ticket-counter") == f"Ga naar loket {COUNTER_NAME}"
    assert not b.visible("ticket-almost") and not b.visible("warn-box")
    b.wait(5).until(lambda d: len(log_items(b)) == 2, "the call is not in the list of warnings")
    assert log_items(b)[1].endswith(
        T("ticket.alert.called", counter=COUNTER_NAME) + " " + T("ticket.alert.via", list="geluid, trilling en melding"))
    b.shot("ticket-alerts-4-called", full=True)
    bad = serious(axe_run(b, "ticket-alerts-called"))
    assert not bad, describe(bad)

    # More updates (another ticket in the queue) raise nothing new.
    issue()
    time.sleep(2.5)   # past the page's 1.5 s debounce of queue events
    assert counts(b) == {**c, "asks": 1}
    log_before = log_items(b)

    # A reload: the page remembers what it raised (sessionStorage) and raises nothing again.
    b.driver.refresh()
    b.tid("ticket-called")
    b.wait(10).until(lambda d: d.execute_script("return window.__probe.sseOpen") >= 1)
    issue()
    time.sleep(2.5)
    assert counts(b) == {"tones": 0, "vibrations": 0, "notifications": [], "asks": 0}
    assert log_items(b) == log_before
    b.shot("ticket-alerts-5-reloaded", full=True)

    # The flash is motion: with prefers-reduced-motion it is only a still outline.
    pulse = ("const el = document.getElementById('called'); el.classList.add('pulse');"
             " const s = getComputedStyle(el); return [s.animationName, s.outlineStyle]")
    assert b.driver.execute_script(pulse)[0] == "t-pulse"
    b.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                             {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
    assert b.driver.execute_script(pulse) == ["none", "solid"]

    server.post(f"/tickets/{mine['id']}/finish", token=clerk_token, expect=200)
    b.wait_text("ticket-status", T("ticket.status.done"), timeout=10)
    b.assert_no_console_errors()


def test_ticket_page_opened_when_almost_is_quiet_and_speaks_french(server, clerk_token, browser, i18n, social_desk):
    """Whoever opens the page already at position <= 4 is looking at it: the banner, no sound or
    notification, and no permission asked; the texts in French."""
    T = lambda key, **kw: filled(tr(i18n, "fr", key), **kw)  # noqa: E731
    mine = server.issue_ticket(service=SERVICE)
    assert ticket_of(server, mine["id"])["position"] == 1
    b = browser("ticket-alerts-fr", 390, 844, mobile=True)
    b.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ALERT_STUB})
    b.get(server.page(f"/t/{mine['id']}?lang=fr"))
    b.wait_text("ticket-number", mine["number"])
    assert b.html_lang() == "fr"
    b.tid("ticket-almost")
    assert b.css("#almost .t-almost-title").text == T("ticket.almost.title")
    assert b.text_of("btn-warn") == T("ticket.warn.button")
    assert not b.visible("alert-log-box")
    time.sleep(1)
    assert counts(b) == {"tones": 0, "vibrations": 0, "notifications": [], "asks": 0}
    b.shot("ticket-alerts-fr-opened-almost", full=True)
    # Armed, then called: that one is news, so it sounds.
    b.click("btn-warn")
    b.wait_text("warn-status", T("ticket.warn.on", list="son, vibration et notification"))
    server.post(f"/counters/{COUNTER}/call-next", token=clerk_token, expect=200)
    b.tid("ticket-called", timeout=5)
    c = wait_counts(b, {"tones": 2, "vibrations": 1, "notifications": 1})
    assert c["notifications"] == [f"{mine['number']} : c’est votre tour | {T('ticket.goToCounter', counter=COUNTER_NAME)}"]
    b.shot("ticket-alerts-fr-called", full=True)
    server.post(f"/tickets/{mine['id']}/finish", token=clerk_token, expect=200)
    b.assert_no_console_errors()


# (record before, ticket update) -> (kinds raised with loudness, record's almost/called after)
DUE_ALERTS_TABLE = [
    ("first look, far away", {}, {"status": "waiting", "position": 6}, [], False, None),
    ("seen, still beyond 4", {"seen": True}, {"status": "waiting", "position": 5}, [], False, None),
    ("seen, reaches 4", {"seen": True}, {"status": "waiting", "position": 4}, [["almost", True]], True, None),
    ("almost already raised", {"seen": True, "almost": True}, {"status": "waiting", "position": 2}, [], True, None),
    ("first look already at 3: quiet", {}, {"status": "waiting", "position": 3}, [["almost", False]], True, None),
    ("transferred counts as waiting", {"seen": True}, {"status": "transferred", "position": 2},
     [["almost", True]], True, None),
    ("no position yet", {"seen": True}, {"status": "waiting", "position": None}, [], False, None),
    ("called", {"seen": True, "almost": True}, {"status": "called", "calledAt": "T1", "recalls": 0},
     [["called", True]], True, "T1#0"),
    ("the same call again", {"seen": True, "almost": True, "called": "T1#0"},
     {"status": "called", "calledAt": "T1", "recalls": 0}, [], True, "T1#0"),
    ("recalled", {"seen": True, "almost": True, "called": "T1#0"}, {"status": "called", "calledAt": "T1", "recalls": 1},
     [["recalled", True]], True, "T1#1"),
    ("called out of order skips almost", {"seen": True}, {"status": "called", "calledAt": "T2", "recalls": 0},
     [["called", True]], True, "T2#0"),
    ("first look while called: quiet", {}, {"status": "called", "calledAt": "T3", "recalls": 0},
     [["called", False]], True, "T3#0"),
    ("serving raises nothing", {"seen": True}, {"status": "serving", "position": None}, [], False, None),
    ("done raises nothing", {"seen": True}, {"status": "done"}, [], False, None),
]


def test_due_alerts_rule(server, browser):
    """alerts.js dueAlerts, the rule on its own: once per threshold, quiet on the first look."""
    b = browser("due-alerts", 400, 300)
    # The front page, to import the module from: a JSON answer's policy (default-src 'none') runs nothing.
    b.get(server.page("/"))
    got = b.driver.execute_async_script("""
        const [table, done] = arguments;
        import('/static/js/alerts.js').then((m) => done(table.map(([, before, tk]) => {
          const {record, alerts} = m.dueAlerts(before, tk);
          return [alerts.map((a) => [a.kind, a.loud]), record.almost, record.called, record.seen];
        })), (e) => done(String(e)));""", [list(row) for row in DUE_ALERTS_TABLE])
    assert isinstance(got, list) and len(got) == len(DUE_ALERTS_TABLE), got
    for (name, _, _, kinds, almost, called), (g_kinds, g_almost, g_called, g_seen) in zip(DUE_ALERTS_TABLE, got):
        assert (g_kinds, g_almost, g_called, g_seen) == (kinds, almost, called, True), name
    b.assert_no_console_errors()
