"""The lobby display runs for weeks without a reload: thousands of events must not grow it.

A display of its own server hears 600 calls (about 3,000 events: ticket, queue, called). After a
warm-up, the DOM node count, the number of event listeners and the JS heap (after a forced garbage
collection) must stay flat.
"""
from __future__ import annotations

import time

import pytest

from conftest import LOCATION, SERVE_CLOCK, SERVICE, LoketServer, make_token

WARMUP_CALLS = 100
CALLS = 600


@pytest.fixture(scope="module")
def own_server(loket_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("display-memory")
    srv = LoketServer(tmp / "db.sqlite", SERVE_CLOCK, tmp / "serve.log")
    yield srv, make_token(tmp / "db.sqlite", "kiosk", "memory-kiosk"), make_token(tmp / "db.sqlite", "clerk", "memory-clerk")
    srv.stop()


def metrics(driver) -> dict[str, float]:
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    driver.execute_cdp_cmd("Performance.enable", {})
    values = {m["name"]: m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}
    return {"nodes": values["Nodes"], "listeners": values["JSEventListeners"], "heap": values["JSHeapUsedSize"]}


def call_many(srv, kiosk: str, clerk: str, n: int, start: int) -> str:
    number = ""
    for _ in range(n):
        srv.post("/tickets", token=kiosk, json={"location": LOCATION, "service": SERVICE}, expect=201)
        number = srv.post("/counters/stadhuis-1/call-next", token=clerk, expect=200).json()["number"]
    return number


def test_display_does_not_grow_over_thousands_of_events(own_server, browser):
    srv, kiosk, clerk = own_server
    srv.post("/counters/stadhuis-1/open", token=clerk, expect=200)
    b = browser("display-memory", 1920, 1080, autoplay=True)
    b.get(srv.page(f"/display/{LOCATION}?sound=auto"))
    b.tid("current-number")

    last = call_many(srv, kiosk, clerk, WARMUP_CALLS, 0)
    b.wait_text("current-number", last, timeout=15)
    before = metrics(b.driver)

    started = time.monotonic()
    last = call_many(srv, kiosk, clerk, CALLS, WARMUP_CALLS)
    b.wait_text("current-number", last, timeout=30)
    time.sleep(0.5)   # let the last queue events land
    after = metrics(b.driver)
    print(f"display memory: {CALLS} calls in {time.monotonic() - started:.1f} s; before {before}; after {after}")

    assert after["nodes"] <= before["nodes"] + 50, f"DOM grew: {before['nodes']} -> {after['nodes']} nodes"
    assert after["listeners"] <= before["listeners"] + 5, f"listeners grew: {before['listeners']} -> {after['listeners']}"
    assert after["heap"] <= before["heap"] + 3 * 1024 * 1024, f"JS heap grew by {(after['heap'] - before['heap']) / 1e6:.1f} MB"
    # The history stays bounded: the newest calls, never all 700.
    assert len(b.driver.find_elements("css selector", "[data-testid='history-item']")) <= 8
    b.assert_no_console_errors()
