// RFC 5545 calendar files for appointments: one VEVENT with the address and what to bring.
import Foundation
import LoketCore

enum ICalendar {
    /// A VCALENDAR with one event; lines folded at 75 octets, text escaped, CRLF line ends.
    static func event(for a: Appointment, catalogue: Catalogue, language: Language, now: Date, baseURL: String?) -> String {
        let location = catalogue.location(a.location)
        let services = a.items.map { item -> String in
            let name = catalogue.service(item.service)?.name.resolve(language) ?? item.service
            return item.persons > 1 ? "\(name) (\(item.persons))" : name
        }
        let bring = a.items.compactMap { catalogue.service($0.service)?.bring?.resolve(language) }
        let municipality = catalogue.settings.municipality.resolve(language)
        var description = "\(label("reference", language)): \(a.reference)"
        if !bring.isEmpty { description += "\n\(label("bring", language)): " + bring.joined(separator: "\n") }
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Loket//\(municipality)//NL", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            "UID:\(a.reference)@loket",
            "DTSTAMP:\(utc(now))",
            "DTSTART:\(utc(a.start))",
            "DTEND:\(utc(a.end))",
            "SUMMARY:\(escape(services.joined(separator: ", ") + " – " + municipality))",
            "LOCATION:\(escape([location?.name.resolve(language), location?.address].compactMap { $0 }.joined(separator: ", ")))",
            "DESCRIPTION:\(escape(description))",
            "STATUS:\(a.status == .cancelled ? "CANCELLED" : "CONFIRMED")",
        ]
        if let baseURL { lines.append("URL:\(baseURL)/book") }
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT2H", "DESCRIPTION:\(escape(services.joined(separator: ", ")))", "END:VALARM",
                  "END:VEVENT", "END:VCALENDAR"]
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    static func utc(_ d: Date) -> String {
        let c = CivilClock(timeZone: TimeZone(identifier: "UTC")!)
        let day = c.date(of: d), t = c.timeOfDay(of: d)
        let s = Int(d.timeIntervalSince1970) % 60
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", day.year, day.month, day.day, t.minutes / 60, t.minutes % 60, s)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\r\n", with: "\\n")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Folds a content line into pieces of at most 75 octets, never splitting a UTF-8 character.
    static func fold(_ line: String) -> String {
        var out = "", count = 0
        for ch in line {
            let n = String(ch).utf8.count
            if count + n > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(ch)
            count += n
        }
        return out
    }

    private static func label(_ key: String, _ l: Language) -> String {
        switch (key, l) {
        case ("reference", .nl): return "Referentie"
        case ("reference", .fr): return "Référence"
        case ("reference", .de): return "Referenz"
        case ("reference", _): return "Reference"
        case ("bring", .nl): return "Meebrengen"
        case ("bring", .fr): return "À apporter"
        case ("bring", .de): return "Mitbringen"
        default: return "Bring"
        }
    }
}
