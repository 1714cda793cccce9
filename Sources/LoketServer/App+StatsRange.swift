// Figures over a range: GET /api/v1/stats/range (JSON) and GET /api/v1/stats/export.csv (for the
// spreadsheets Belgian offices use). Counts and percentiles only: no name, contact or reference.
//
// The CSV is what Excel and LibreOffice in a Belgian (nl-BE, fr-BE) locale open by a double click:
// UTF-8 with a byte-order mark (else accents break), `;` between fields (the comma is the decimal
// separator there), decimal comma, CRLF line ends, dates YYYY-MM-DD, a field in double quotes when it
// holds `;`, `"`, CR or LF, with its quotes doubled (RFC 4180).
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

/// One row of `/api/v1/stats/range`: a service's figures (or, in `totals`, all services') in one period.
struct StatsRowDTO: Encodable {
    var location: String
    /// The day, or the Monday of the week (YYYY-MM-DD).
    var period: String
    /// Absent in `totals`.
    var service: String?
    var tickets: Int
    var appointments: Int
    var served: Int
    var noShows: Int
    /// Minutes, rounded to 0.1; null when there is no value.
    var waitMinutesP50: Double?
    var waitMinutesP90: Double?
    var serviceMinutesP50: Double?

    init(_ f: PeriodFigures) {
        func rounded(_ m: Double?) -> Double? { m.map { ($0 * 10).rounded() / 10 } }
        (location, period, service) = (f.location, f.period.description, f.service)
        (tickets, appointments, served, noShows) = (f.tickets, f.appointments, f.served, f.noShows)
        (waitMinutesP50, waitMinutesP90, serviceMinutesP50) = (rounded(f.waitMinutesP50), rounded(f.waitMinutesP90),
                                                               rounded(f.serviceMinutesP50))
    }

    private enum Keys: String, CodingKey {
        case location, period, service, tickets, appointments, served, noShows, waitMinutesP50, waitMinutesP90, serviceMinutesP50
    }

    // Percentiles are written as null rather than left out, so every row has the same keys.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(location, forKey: .location)
        try c.encode(period, forKey: .period)
        try c.encodeIfPresent(service, forKey: .service)
        try c.encode(tickets, forKey: .tickets)
        try c.encode(appointments, forKey: .appointments)
        try c.encode(served, forKey: .served)
        try c.encode(noShows, forKey: .noShows)
        try c.encode(waitMinutesP50, forKey: .waitMinutesP50)
        try c.encode(waitMinutesP90, forKey: .waitMinutesP90)
        try c.encode(serviceMinutesP50, forKey: .serviceMinutesP50)
    }
}

/// The answer of `/api/v1/stats/range`.
struct StatsRangeDTO: Encodable {
    var from: String
    var to: String
    var by: String
    var rows: [StatsRowDTO]
    var totals: [StatsRowDTO]
}

extension StatsRangeDTO {
    /// The same JSON as `JSONOut` (sorted keys, null percentiles), written by hand: a six-month answer
    /// for every location has some 20,000 rows, and Foundation's encoder took about half its time.
    func jsonBytes() -> [UInt8] {
        var out = ""
        out.reserveCapacity(64 + (rows.count + totals.count) * 220)
        func string(_ s: String) {
            out += "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
                default: out.unicodeScalars.append(u)
                }
            }
            out += "\""
        }
        func minutes(_ m: Double?) {
            guard let m else { out += "null"; return }
            let tenths = Int((m * 10).rounded())
            out += String(tenths / 10)
            if tenths % 10 != 0 { out += "." + String(tenths % 10) }
        }
        func list(_ rows: [StatsRowDTO]) {
            out += "["
            for (i, r) in rows.enumerated() {
                if i > 0 { out += "," }
                out += "{\"appointments\":\(r.appointments),\"location\":"
                string(r.location)
                out += ",\"noShows\":\(r.noShows),\"period\":"
                string(r.period)
                out += ",\"served\":\(r.served)"
                if let s = r.service {
                    out += ",\"service\":"
                    string(s)
                }
                out += ",\"serviceMinutesP50\":"
                minutes(r.serviceMinutesP50)
                out += ",\"tickets\":\(r.tickets),\"waitMinutesP50\":"
                minutes(r.waitMinutesP50)
                out += ",\"waitMinutesP90\":"
                minutes(r.waitMinutesP90)
                out += "}"
            }
            out += "]"
        }
        out += "{\"by\":"
        string(by)
        out += ",\"from\":"
        string(from)
        out += ",\"rows\":"
        list(rows)
        out += ",\"to\":"
        string(to)
        out += ",\"totals\":"
        list(totals)
        out += "}"
        return Array(out.utf8)
    }
}

/// The longest range one request may ask for, in days (both ends included).
let statsMaxDays = 366

extension App {
    static func registerStatsRangeRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/stats/range") { app, request in try app.statsRange(request) }
        table.add(.GET, "/api/v1/stats/export.csv") { app, request in try app.statsExport(request) }
    }

    /// `from`, `to` and `location` of a stats request, checked; every location when none is named.
    ///
    /// Throws `invalid_date` (missing or not a date), `invalid_range` (reversed, or over 366 days),
    /// `unknown_location`.
    private func statsQuery(_ request: Request) throws -> (from: CivilDate, to: CivilDate, locations: [Location]) {
        func day(_ field: String) throws -> CivilDate {
            guard let text = request.query[field], !text.isEmpty else {
                throw LoketError(.invalidDate, "`\(field)` is required, written YYYY-MM-DD.", fields: [field: "is required"])
            }
            return try date(text, field: field)
        }
        let from = try day("from"), to = try day("to")
        guard from <= to else { throw LoketError(.invalidRange, "`to` is before `from`.", fields: ["to": "before from"]) }
        guard to.dayNumber - from.dayNumber + 1 <= statsMaxDays else {
            throw LoketError(.invalidRange, "A range is at most \(statsMaxDays) days.", fields: ["to": "more than \(statsMaxDays) days after from"])
        }
        if let id = request.query["location"], !id.isEmpty { return (from, to, [try location(id)]) }
        return (from, to, catalogue.locations)
    }

    private func statsFigures(_ locations: [Location], from: CivilDate, to: CivilDate, by: StatsPeriod) throws -> [RangeFigures] {
        try store.read { db in
            try locations.map { try db.rangeFigures(location: $0.id, timeZone: $0.timeZone, from: from, to: to, by: by) }
        }
    }

    /// `GET /api/v1/stats/range?from=&to=&location=&by=day|week` (admin).
    func statsRange(_ request: Request) throws -> Response {
        try authorize(request, [.admin])
        let q = try statsQuery(request)
        var by = StatsPeriod.day
        if let text = request.query["by"] {
            guard let p = StatsPeriod(rawValue: text) else {
                throw LoketError(.invalid, "`by` must be day or week.", fields: ["by": "must be day or week"])
            }
            by = p
        }
        let figures = try statsFigures(q.locations, from: q.from, to: q.to, by: by)
        let dto = StatsRangeDTO(from: q.from.description, to: q.to.description, by: by.rawValue,
                                rows: figures.flatMap { $0.rows.map(StatsRowDTO.init) },
                                totals: figures.flatMap { $0.totals.map(StatsRowDTO.init) })
        return Response(contentType: "application/json", bytes: dto.jsonBytes(), headers: [("Cache-Control", "no-store")])
    }

    /// `GET /api/v1/stats/export.csv?from=&to=&location=&lang=` (admin): one row per location, service and day.
    func statsExport(_ request: Request) throws -> Response {
        try authorize(request, [.admin])
        let q = try statsQuery(request)
        let lang = request.query["lang"].flatMap { Language(tag: $0) } ?? .nl
        let figures = try statsFigures(q.locations, from: q.from, to: q.to, by: .day)
        let csv = StatsCSV.render(figures.flatMap(\.rows), catalogue: catalogue, language: lang)
        return Response(contentType: "text/csv; charset=utf-8", bytes: csv, headers: [
            ("Content-Disposition", "attachment; filename=\"loket-stats-\(q.from)-\(q.to).csv\""), ("Cache-Control", "no-store"),
        ])
    }
}

/// The CSV export's text: see the file header for the dialect.
enum StatsCSV {
    static let header: [Language: [String]] = [
        .nl: ["Datum", "Locatie", "Locatienaam", "Dienst", "Dienstnaam", "Tickets", "Afspraken", "Geholpen", "Niet opgedaagd",
              "Wachttijd p50 (min)", "Wachttijd p90 (min)", "Behandeltijd p50 (min)"],
        .fr: ["Date", "Site", "Nom du site", "Service", "Nom du service", "Tickets", "Rendez-vous", "Servis", "Absents",
              "Attente p50 (min)", "Attente p90 (min)", "Durée de service p50 (min)"],
        .en: ["Date", "Location", "Location name", "Service", "Service name", "Tickets", "Appointments", "Served", "No-shows",
              "Wait p50 (min)", "Wait p90 (min)", "Service time p50 (min)"],
        .de: ["Datum", "Standort", "Standortname", "Dienst", "Dienstname", "Tickets", "Termine", "Bedient", "Nicht erschienen",
              "Wartezeit p50 (min)", "Wartezeit p90 (min)", "Bearbeitungszeit p50 (min)"],
    ]

    /// The file's bytes: BOM, header row, then `rows` (those with all zeros left out) in order.
    static func render(_ rows: [PeriodFigures], catalogue: Catalogue, language: Language) -> [UInt8] {
        var lines = [(header[language] ?? header[.nl]!).map(field).joined(separator: ";")]
        for r in rows where !r.isEmpty {
            let service = r.service ?? ""
            let cells = [r.period.description, r.location, catalogue.location(r.location)?.name.resolve(language) ?? r.location,
                         service, catalogue.service(service)?.name.resolve(language) ?? service,
                         String(r.tickets), String(r.appointments), String(r.served), String(r.noShows),
                         decimal(r.waitMinutesP50), decimal(r.waitMinutesP90), decimal(r.serviceMinutesP50)]
            lines.append(cells.map(field).joined(separator: ";"))
        }
        return [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// One field, quoted (inner quotes doubled) when it holds `;`, `"`, CR or LF.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Minutes with one decimal and a decimal comma (`7,5`); empty when there is no value.
    static func decimal(_ minutes: Double?) -> String {
        guard let m = minutes else { return "" }
        let tenths = Int((max(0, m) * 10).rounded())
        return "\(tenths / 10),\(tenths % 10)"
    }
}
