"""GET /metrics read back by Prometheus' own Python parser, as a scraper would.

The server runs on its own database (so the counts are this test's alone): tickets are issued,
one is called, and the exposition must parse whole, with the families the operations team
alerts on, their labels ids only, and nothing of a citizen in it.
"""
from prometheus_client.parser import text_string_to_metric_families

from conftest import LOCATION, SERVICE, LoketServer, SERVE_CLOCK, make_token


def families(srv) -> dict:
    res = srv.api("GET", f"{srv.url}/metrics", expect=200)
    assert res.headers["Content-Type"].startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(res.text)}, res.text


def samples(family, **labels):
    return [s for s in family.samples if all(s.labels.get(k) == v for k, v in labels.items())]


def test_prometheus_parses_the_metrics_and_they_count_what_happened(loket_bin, tmp_path):
    db = tmp_path / "db.sqlite"
    srv = LoketServer(db, SERVE_CLOCK, tmp_path / "serve.log")
    try:
        kiosk = make_token(db, "kiosk", "metrics-kiosk")
        clerk = make_token(db, "clerk", "metrics-clerk")
        issued = [srv.post("/tickets", token=kiosk, json={"location": LOCATION, "service": SERVICE}, expect=201).json()
                  for _ in range(3)]
        srv.post("/counters/stadhuis-1/open", token=clerk, expect=200)
        called = srv.post("/counters/stadhuis-1/call-next", token=clerk, expect=200).json()
        srv.get("/tickets/no-such-ticket", expect=404)

        found, text = families(srv)
        # The parser strips _total from counter names.
        requests = found["loket_http_requests"]
        assert requests.type == "counter"
        tickets = samples(requests, route="/api/v1/tickets", method="POST", status="201")
        assert [s.value for s in tickets] == [3.0]
        # Route patterns, never raw paths: the 404 lookup counts under the pattern.
        assert samples(requests, route="/api/v1/tickets/{id}", status="404")
        assert not any("no-such-ticket" in s.labels.get("route", "") for s in requests.samples)

        latency = found["loket_http_request_duration_seconds"]
        assert latency.type == "histogram"
        post = samples(latency, route="/api/v1/tickets", method="POST")
        count = [s.value for s in post if s.name.endswith("_count")]
        inf = [s.value for s in post if s.name.endswith("_bucket") and s.labels["le"] == "+Inf"]
        assert count == [3.0] and inf == [3.0]

        waiting = found["loket_tickets_waiting"]
        assert [s.value for s in samples(waiting, location=LOCATION, service=SERVICE)] == [2.0]
        waits = found["loket_ticket_wait_seconds"]
        assert [s.value for s in samples(waits, location=LOCATION) if s.name.endswith("_count")] == [1.0]
        for name in ("loket_sse_streams", "loket_outbox_messages", "loket_database_bytes"):
            assert name in found, name
        assert samples(found["loket_database_bytes"])[0].value > 0

        # Nothing that leads to a citizen: no ticket id (the status link), no number called.
        for t in issued:
            assert t["id"] not in text
        assert called["number"] not in text
    finally:
        srv.stop()
