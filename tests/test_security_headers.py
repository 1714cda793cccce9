"""Security headers on every page and answer, and a browser that really enforces the page policy.

Every page is loaded in headless Chromium: it must work under its Content-Security-Policy with no
console error (inline script or style anywhere would be refused and logged), and an inline script
and an inline style injected afterwards must be refused, proving the policy is in force.
"""

from __future__ import annotations

import pytest

from conftest import LOCATION, Site

PAGES = ["/", f"/kiosk/{LOCATION}", f"/display/{LOCATION}", "/counter", "/admin", "/book", "/w/unknown-entry"]
REFUSED = r"Content Security Policy|Refused to"


def page_paths(server: Site) -> list[str]:
    return PAGES + [f"/t/{server.issue_ticket()['id']}"]


def test_pages_forbid_inline_code_framing_and_referrers(server: Site):
    for path in page_paths(server):
        res = server.get(server.page(path))
        assert res.status_code == 200, path
        policy = res.headers["Content-Security-Policy"]
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";"))
        assert directives["script-src"] == "'self'", (path, policy)
        assert directives["style-src"] == "'self'", (path, policy)
        assert directives["frame-ancestors"] == "'none'", (path, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert res.headers["Referrer-Policy"] == "no-referrer", path
        assert res.headers["X-Content-Type-Options"] == "nosniff", path


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/locations", "/api/v1/services/nope",
                                  "/static/js/api.js", "/api/v1/qr.svg?data=x", "/metrics", "/no/such/page"])
def test_data_answers_allow_nothing(server: Site, path: str):
    res = server.get(server.page(path))
    assert res.headers["Content-Security-Policy"].startswith("default-src 'none'"), path
    assert res.headers["X-Content-Type-Options"] == "nosniff", path
    assert res.headers["Referrer-Policy"] == "no-referrer", path


@pytest.mark.browser
def test_every_page_runs_under_its_policy_and_the_policy_is_enforced(server: Site, browser):
    b = browser("csp")
    for path in page_paths(server) * 2:   # the second visit revalidates the cached page (304)
        b.get(server.url + path)
        b.wait().until(lambda d: d.execute_script("return document.readyState") == "complete")
        # Give module scripts their first fetches; any refused inline code would be logged by now.
        b.driver.execute_async_script("setTimeout(arguments[arguments.length - 1], 300)")
        b.assert_no_console_errors()
        injected = b.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true';
            document.body.append(s);
            const p = document.createElement('p');
            p.setAttribute('style', 'color: rgb(1, 2, 3)');
            p.textContent = 'x';
            document.body.append(p);
            setTimeout(() => done({ran: window.__inlineRan === true, color: getComputedStyle(p).color}), 100);
        """)
        assert injected["ran"] is False, path
        # The page's own stylesheets were allowed and applied.
        assert b.driver.execute_script("return [...document.styleSheets].some((s) => s.cssRules.length > 0)"), path
        assert injected["color"] != "rgb(1, 2, 3)", path
        b.assert_no_console_errors(allow=[REFUSED])
