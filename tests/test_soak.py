"""The soak of issue 13, three minutes of it, inside `make test` (`make soak` runs the 30-minute one).

tests/soak.py drives kiosks, clerks, 200 display streams and citizens against the debug binary on its
own database, then reads every acknowledged write back. Each check is its own test, so a failure says
which one gave way.

Flatness over three minutes: the warm-up is only the first 36 s, while SQLite's page cache, the
WAL, the SSE buffers and malloc's arenas are still filling, and the debug binary on a shared 2-core
machine swings more. So RSS gets 20% here instead of 10% (the 30-minute `make soak` keeps 10%); on
the development machine the three minutes grew it by about 3%, and 20% still catches a leak of
some 2.5 KB per request (about 4,000 requests after warm-up, against ~55 MB). Threads and
descriptors keep 10%, plus 2 absolute (a request in flight as the sample is taken).
"""
import os
from pathlib import Path

import pytest

import conftest
import soak

MINUTES = float(os.environ.get("SOAK_TEST_MINUTES", "3"))


@pytest.fixture(scope="module")
def soaked(loket_bin, tmp_path_factory):
    work = tmp_path_factory.mktemp("soak")
    res = soak.run(MINUTES, loket_bin, displays=200, tolerance=0.10, work=work)
    # The soak's logs and secrets join the end-of-session log check too.
    for log in work.glob("serve-*.log"):
        conftest.register_log(log)
    print("\n" + res.summary)
    return res


def test_no_5xx_and_no_failed_connection(soaked):
    assert soaked.server_errors == [], "\n".join(soaked.server_errors[:20])
    assert soaked.transport_errors == [], "\n".join(soaked.transport_errors[:20])
    assert soaked.exit_code == 0, f"the server exited with {soaked.exit_code} on SIGTERM"


def test_every_acknowledged_write_is_there_and_the_queue_holds(soaked):
    # Tickets and appointments read back with the state their last acknowledged change left;
    # nobody called twice by call-next; numbers unique per location and day.
    assert soaked.lost == [], "\n".join(soaked.lost[:30])
    assert "calls" in soaked.summary and soaked.secrets > 50   # the soak did book and issue


def test_every_action_got_the_answer_its_state_calls_for(soaked):
    # Only the clerk who called a ticket acts on it, and citizens act on their own bookings: a 409 on
    # start, a 404 on a read or a 422 on a valid booking is a finding (409 slot_unavailable, 204 from
    # call-next are expected and not counted).
    assert soaked.findings == [], "\n".join(soaked.findings[:30])


def test_every_display_stream_saw_every_call(soaked):
    assert soaked.displays == [], "\n".join(soaked.displays)


def test_memory_descriptors_and_threads_flat_after_warm_up(soaked):
    limits = {"rss_kb": 0.20, "threads": 0.10, "fds": 0.10}
    slack = {"rss_kb": 0, "threads": 2, "fds": 2}
    bad = [f"{name}: warm-up {f['warmup']:.0f}, steady {f['steady']:.0f} (+{f['growth']:.1%}), max {f['max']:.0f}"
           for name, f in soaked.flat.items() if f["steady"] > f["warmup"] * (1 + limits[name]) + slack[name]]
    assert bad == [], "growing after warm-up: " + "; ".join(bad)


def test_the_trace_log_holds_no_token_manage_token_name_or_email(soaked):
    assert soaked.log_bytes > 10_000, "the soak's server log is nearly empty: is it at trace level?"
    assert soaked.leaks == [], "\n".join(soaked.leaks)


# The soak's own yardsticks, checked on made-up figures (they must be able to fail).

def test_flatness_flags_steady_growth_but_forgives_a_single_spike():
    t = [float(i) for i in range(600)]
    flat = [(x, 50_000, 6, 240) for x in t]
    spike = [(x, 50_000 + (30_000 if x == 400 else 0), 6, 240 + (40 if x == 300 else 0)) for x in t]
    leak = [(x, 50_000 + int(x * 20), 6 + int(x > 500) * 4, 240 + int(x / 10)) for x in t]
    assert all(f["ok"] for f in soak.flatness(flat, 0, 599, 0.10).values())
    assert all(f["ok"] for f in soak.flatness(spike, 0, 599, 0.10).values())
    grown = soak.flatness(leak, 0, 599, 0.10)
    assert not grown["rss_kb"]["ok"] and not grown["threads"]["ok"] and not grown["fds"]["ok"], grown


def test_the_display_reader_decodes_chunks_split_anywhere():
    d = soak.Displays(("127.0.0.1", 1), "stadhuis", 0)
    st = {"i": 0, "raw": b"", "headers": None, "body": b"", "events": soak.Counter(), "called": set(),
          "closed": False, "last_id": 0, "bad_ids": 0}
    body = (b"retry: 3000\n\n: hb\n\nid: 7\nevent: called\ndata: {\"ticket\":\"T1\",\"number\":\"A001\"}\n\n"
            b"id: 6\nevent: queue\ndata: {}\n\n")
    wire = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
    for i in range(0, len(body), 10):
        chunk = body[i:i + 10]
        wire += f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n"
    for i in range(0, len(wire), 7):   # arrives in odd pieces
        d.feed(st, wire[i:i + 7])
    assert st["called"] == {"T1"}
    assert st["events"] == {"retry": 1, "heartbeat": 1, "called": 1, "queue": 1}
    assert st["bad_ids"] == 1 and d.errors == []   # id 6 after 7 is flagged
