// RFC 5545 calendar files for appointments: one VEVENT with the address and what to bring.
//
// One appointment is one event for its whole life: `UID` is `REFERENCE@loket`, and `SEQUENCE`
// rises with each move or cancel, so a calendar that already holds the event replaces it (RFC
// 5546: a higher sequence wins). The download on the booking page is `METHOD:PUBLISH`; mail uses
// `REQUEST` and `CANCEL` with an ORGANIZER and the citizen as ATTENDEE, which iTIP requires for them.
// Lines are folded at 75 octets without splitting a character, text is escaped, line ends are CRLF.
import Foundation
import LoketCore

/// Writes appointments as iCalendar (RFC 5545) files.
public enum ICalendar {
    /// The iTIP method of a calendar file (RFC 5546).
    public enum Method: String, Sendable, Hashable, CaseIterable {
        /// A copy for the citizen's calendar, no scheduling semantics (the download).
        case publish = "PUBLISH"
        /// The organizer's current version of the event (booked, moved).
        case request = "REQUEST"
        /// The event is cancelled: calendars remove it.
        case cancel = "CANCEL"
    }

    /// A VCALENDAR with one event for `a`.
    ///
    /// - Parameters:
    ///   - sequence: `SEQUENCE`: 0 when booked, one more for each move or cancel. Written when above 0,
    ///     and always for `REQUEST` and `CANCEL`.
    ///   - method: `CANCEL` also marks the event `STATUS:CANCELLED`, as does a cancelled `a`.
    ///   - publicURL: base of the `URL` property (`publicURL/book`); nil: no URL.
    ///   - meetingURL: the video call's link: it becomes the `LOCATION` and the `URL`.
    ///   - organizer: the office's mailbox; with it, `REQUEST` and `CANCEL` carry ORGANIZER and the
    ///     citizen (`a.email`) as ATTENDEE.
    public static func event(for a: Appointment, sequence: Int, method: Method, catalogue: Catalogue, language: Language,
                             now: Date, publicURL: String?, meetingURL: String?, organizer: MailAddress? = nil) -> String {
        let location = catalogue.location(a.location)
        let services = a.items.map { item -> String in
            let name = catalogue.service(item.service)?.name.resolve(language) ?? item.service
            return item.persons > 1 ? "\(name) (\(item.persons))" : name
        }
        let bring = a.items.compactMap { catalogue.service($0.service)?.bring?.resolve(language) }
        let municipality = catalogue.settings.municipality.resolve(language)
        let meetingURL = meetingURL.map(uri).flatMap { $0.isEmpty ? nil : $0 }
        var description = "\(label("reference", language)): \(a.reference)"
        if let meetingURL { description += "\n\(label("video", language)): \(meetingURL)" }
        if !bring.isEmpty { description += "\n\(label("bring", language)): " + bring.joined(separator: "\n") }
        let cancelled = method == .cancel || a.status == .cancelled
        let place = meetingURL ?? [location?.name.resolve(language), location?.address].compactMap { $0 }.joined(separator: ", ")
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Loket//\(escape(municipality))//NL", "CALSCALE:GREGORIAN",
            "METHOD:\(method.rawValue)",
            "BEGIN:VEVENT",
            "UID:\(stripControls(a.reference))@loket",
            "DTSTAMP:\(utc(now))",
        ]
        if sequence > 0 || method != .publish { lines.append("SEQUENCE:\(max(sequence, 0))") }
        lines += [
            "DTSTART:\(utc(a.start))",
            "DTEND:\(utc(a.end))",
            "SUMMARY:\(escape(services.joined(separator: ", ") + " – " + municipality))",
            "LOCATION:\(escape(place))",
            "DESCRIPTION:\(escape(description))",
            "STATUS:\(cancelled ? "CANCELLED" : "CONFIRMED")",
        ]
        if let organizer, method != .publish {
            lines.append("ORGANIZER;CN=\(parameter(organizer.name ?? municipality)):mailto:\(uri(organizer.address))")
            if let email = a.email, !email.isEmpty {
                lines.append("ATTENDEE;CN=\(parameter(a.name));ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE"
                             + ":mailto:\(uri(email))")
            }
        }
        if let meetingURL {
            lines.append("URL:\(meetingURL)")
            lines.append("CONFERENCE;VALUE=URI;FEATURE=VIDEO:\(meetingURL)")
        } else if let publicURL {
            lines.append("URL:\(uri(publicURL))/book")
        }
        if method != .cancel {
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT2H",
                      "DESCRIPTION:\(escape(services.joined(separator: ", ")))", "END:VALARM"]
        }
        lines += ["END:VEVENT", "END:VCALENDAR"]
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `20261201T093000Z`: an instant in UTC, as DTSTART and DTSTAMP want it.
    static func utc(_ d: Date) -> String {
        let c = CivilClock(timeZone: TimeZone(identifier: "UTC")!)
        let day = c.date(of: d), t = c.timeOfDay(of: d)
        let s = Int(d.timeIntervalSince1970) % 60
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", day.year, day.month, day.day, t.minutes / 60, t.minutes % 60, s)
    }

    /// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`, other control
    /// characters (which RFC 5545 forbids) as spaces.
    static func escape(_ s: String) -> String {
        let text = s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(isControl(ch) ? " " : ch)
            }
        }
        return out
    }

    /// A parameter value (`CN=`): quoted, without the double quotes and control characters it may not hold.
    static func parameter(_ s: String) -> String {
        "\"" + stripControls(s).replacingOccurrences(of: "\"", with: "'") + "\""
    }

    /// `s` with every control character (line breaks too) replaced by a space.
    static func stripControls(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { isControl($0) ? " " : $0 }))
    }

    /// A URI value: no control characters and no spaces, which a URI cannot hold.
    static func uri(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { !isControl($0) && $0 != " " }))
    }

    private static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || c.value == 0x7F || (0x80...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029
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
        case ("bring", _): return "Bring"
        case ("video", .nl): return "Videogesprek"
        case ("video", .fr): return "Appel vidéo"
        case ("video", .de): return "Videogespräch"
        default: return "Video call"
        }
    }
}
