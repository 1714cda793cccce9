"""The stats CSV export read the way a spreadsheet reads it: Python's `csv` module, `;` as the
delimiter, `utf-8-sig` (the byte-order mark Excel needs), decimal commas; checked field by field
against the JSON of /api/v1/stats/range for the same days.

The database is filled by `loket-bench history` (two weeks of generated tickets and appointments
at every demo location) on a copy of config/ whose eID service has a name with `;` and `"` in it.
Needs `.build/debug/loket` and `.build/debug/loket-bench` (`swift build`).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import pytest

from conftest import LOKET, ROOT, SERVE_CLOCK, LoketServer, make_token

BENCH = LOKET.parent / "loket-bench"
NASTY = 'Identiteitskaart; "eID" aanvragen'
HEADER_NL = ["Datum", "Locatie", "Locatienaam", "Dienst", "Dienstnaam", "Tickets", "Afspraken", "Geholpen",
             "Niet opgedaagd", "Wachttijd p50 (min)", "Wachttijd p90 (min)", "Behandeltijd p50 (min)"]


@pytest.fixture()
def history_server(tmp_path):
    if not BENCH.exists():
        pytest.skip(f"{BENCH} is missing: run swift build")
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    services = config / "services" / "01-burgerzaken.yaml"
    text = services.read_text(encoding="utf-8")
    assert 'nl: "Identiteitskaart (eID) aanvragen"' in text
    services.write_text(text.replace('nl: "Identiteitskaart (eID) aanvragen"', 'nl: \'Identiteitskaart; "eID" aanvragen\''),
                        encoding="utf-8")
    db = tmp_path / "db.sqlite"
    subprocess.run([str(BENCH), "history", "--config", str(config), "--db", str(db), "--from", "2026-11-16", "--days", "14"],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    admin = make_token(db, "admin", "stats-admin")
    clerk = make_token(db, "clerk", "stats-clerk")
    srv = LoketServer(db, SERVE_CLOCK, tmp_path / "serve.log", config=config)
    try:
        yield srv, admin, clerk
    finally:
        srv.stop()


def decimal(field: str) -> float | None:
    """A spreadsheet number in a Belgian locale: decimal comma, empty for no value."""
    if field == "":
        return None
    assert re.fullmatch(r"\d+,\d", field), f"not a decimal-comma number: {field!r}"
    return float(field.replace(",", "."))


def test_csv_parses_like_a_spreadsheet_and_matches_the_json(history_server):
    srv, admin, clerk = history_server
    query = "from=2026-11-16&to=2026-11-29"
    res = srv.get(f"/stats/export.csv?{query}", token=admin, expect=200)
    assert res.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert res.headers["Content-Disposition"] == 'attachment; filename="loket-stats-2026-11-16-2026-11-29.csv"'
    raw = res.content
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")   # every line ends in CRLF, no bare LF

    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == HEADER_NL
    body = rows[1:]
    assert body, "two weeks of history give rows"
    assert all(len(r) == len(HEADER_NL) for r in body)

    ranged = srv.get(f"/stats/range?{query}", token=admin, expect=200).json()
    by_key = {(r["period"], r["location"], r["service"]): r for r in ranged["rows"]}
    assert len(body) == len(by_key), "one CSV line per JSON row (none is all zeros)"
    for day, location, location_name, service, service_name, *figures in body:
        assert re.fullmatch(r"2026-11-(1[6-9]|2\d)", day)
        j = by_key[(day, location, service)]
        tickets, appointments, served, no_shows = (int(x) for x in figures[:4])
        assert (tickets, appointments, served, no_shows) == (j["tickets"], j["appointments"], j["served"], j["noShows"])
        assert decimal(figures[4]) == j["waitMinutesP50"]
        assert decimal(figures[5]) == j["waitMinutesP90"]
        assert decimal(figures[6]) == j["serviceMinutesP50"]
        assert location_name and service_name
    # The name with `;` and `"` comes back whole from its quoted field.
    eid = [r for r in body if r[3] == "eid-aanvraag"]
    assert eid and all(r[4] == NASTY for r in eid)
    assert f'"{NASTY.replace(chr(34), chr(34) * 2)}"'.encode() in raw
    # The generator names every appointment "Zoë Historiek-n": no name reaches the file.
    assert "Historiek".encode() not in raw and b"@" not in raw

    fr = srv.get(f"/stats/export.csv?{query}&lang=fr", token=admin, expect=200)
    assert next(csv.reader(io.StringIO(fr.content.decode("utf-8-sig"), newline=""), delimiter=";"))[:3] == \
        ["Date", "Site", "Nom du site"]
    assert srv.get(f"/stats/export.csv?{query}", token=clerk).status_code == 403
    assert srv.get(f"/stats/export.csv?{query}").status_code == 401
