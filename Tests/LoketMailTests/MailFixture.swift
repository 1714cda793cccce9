// Test data for the mail tests: a small municipality in four languages, pinned instants, and a
// test-side reader of the messages (header unfolding, RFC 2047, quoted-printable, multipart) that
// shares no code with the writer, so a mistake in one is not hidden by the same mistake in the other.
import Foundation
import LoketCore
import Testing
@testable import LoketMail

enum MailFixture {
    static let municipality = LocalizedText([.nl: "Gemeente Wilgendaal", .fr: "Commune de Wilgendaal",
                                             .en: "Municipality of Wilgendaal", .de: "Gemeinde Wilgendaal"])
    static let townHall = Location(
        id: "stadhuis",
        name: LocalizedText([.nl: "Stadhuis Wilgendaal", .fr: "Hôtel de ville de Wilgendaal", .en: "Wilgendaal town hall",
                             .de: "Rathaus Wilgendaal"]),
        address: "Markt 1, 9999 Wilgendaal", kind: .townHall)
    static let videoDesk = Location(
        id: "video-loket", name: LocalizedText([.nl: "Videoloket", .fr: "Guichet vidéo", .en: "Video desk", .de: "Videoschalter"]),
        address: "Online videogesprek", kind: .remote)
    static let eid = Service(
        id: "eid", name: LocalizedText([.nl: "Identiteitskaart (eID)", .fr: "Carte d’identité (eID)", .en: "Identity card (eID)",
                                        .de: "Personalausweis (eID)"]),
        category: "burgerzaken", durationMinutes: 15, maxPersons: 4, locations: ["stadhuis"],
        bring: LocalizedText([.nl: "Uw oude identiteitskaart en een recente pasfoto.", .fr: "Votre ancienne carte d’identité et une photo récente.",
                              .en: "Your old identity card and a recent photo.", .de: "Ihr alter Personalausweis und ein aktuelles Passbild."]))
    static let passport = Service(
        id: "reispas", name: LocalizedText([.nl: "Reispas", .fr: "Passeport", .en: "Passport", .de: "Reisepass"]),
        category: "burgerzaken", durationMinutes: 20, locations: ["stadhuis"],
        bring: LocalizedText([.nl: "Een recente pasfoto.", .fr: "Une photo récente.", .en: "A recent photo.", .de: "Ein aktuelles Passbild."]))
    static let advice = Service(
        id: "advies", name: LocalizedText([.nl: "Advies sociale dienst", .fr: "Conseil du service social", .en: "Social services advice",
                                           .de: "Beratung Sozialdienst"]),
        category: "sociaal", durationMinutes: 30, locations: ["video-loket"])

    static let catalogue = Catalogue(
        settings: Settings(municipality: municipality), categories: [], locations: [townHall, videoDesk],
        services: [eid, passport, advice], counters: [])

    static let token = "tok_Secret-9xQ"
    static let reference = "K7M-3QX"
    static let meeting = "https://meet.wilgendaal.be/r/abc-123?pwd=x7"

    // 2026-12-01 is a Tuesday; 10:30 in Brussels (winter, +01:00) is 09:30 UTC.
    static let tuesday1030 = instant("2026-12-01T10:30:00+01:00")
    static let tuesday1045 = instant("2026-12-01T10:45:00+01:00")
    // Mail is sent the day before, at 08:00 in Brussels.
    static let now = instant("2026-11-30T08:00:00+01:00")
    // Around the change to summer time on Sunday 2027-03-28 (02:00 -> 03:00 in Brussels):
    // 2027-03-26 is a Friday (+01:00), 2027-03-29 is a Monday (+02:00).
    static let friday1000 = instant("2027-03-26T10:00:00+01:00")
    static let monday1000 = instant("2027-03-29T10:00:00+02:00")
    static let monday1020 = instant("2027-03-29T10:20:00+02:00")

    static func instant(_ text: String) -> Date {
        guard let d = parseInstant(text) else { fatalError("not an instant: \(text)") }
        return d
    }
}

// MARK: - A test-side reader of messages

/// One MIME entity: unfolded headers and its body, decoded when it is a leaf.
struct Entity {
    var headers: [(name: String, value: String)]
    /// The raw (encoded) body.
    var raw: String
    var parts: [Entity] = []

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headers(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The media type, lower case, without parameters.
    var mediaType: String {
        (header("Content-Type") ?? "text/plain").split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A parameter of Content-Type, unquoted.
    func parameter(_ name: String) -> String? {
        guard let type = header("Content-Type") else { return nil }
        for piece in type.split(separator: ";").dropFirst() {
            let kv = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2, kv[0].lowercased() == name.lowercased() {
                return kv[1].hasPrefix("\"") ? String(kv[1].dropFirst().dropLast()) : kv[1]
            }
        }
        return nil
    }

    /// The decoded body bytes.
    var data: [UInt8] {
        switch header("Content-Transfer-Encoding")?.lowercased() {
        case "base64": return [UInt8](Data(base64Encoded: raw, options: .ignoreUnknownCharacters) ?? Data())
        case "quoted-printable": return Reader.decodeQuotedPrintable(raw)
        default: return Array(raw.utf8)
        }
    }

    var text: String { String(decoding: data, as: UTF8.self) }

    /// Every entity in the tree, depth first.
    var all: [Entity] { [self] + parts.flatMap(\.all) }

    /// The first leaf of `type`.
    func first(_ type: String) -> Entity? { all.first { $0.mediaType == type } }
}

enum Reader {
    /// Parses a message; fails the test if it is not CRLF-only 7-bit text.
    static func parse(_ bytes: [UInt8]) -> Entity {
        let high = bytes.firstIndex { $0 > 127 }
        #expect(high == nil, "the message is not 7-bit: byte \(high.map { bytes[$0] } ?? 0) at \(high ?? 0)")
        return entity(String(decoding: bytes, as: UTF8.self))
    }

    static func entity(_ text: String) -> Entity {
        let split = text.range(of: "\r\n\r\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        let raw = split.map { String(text[$0.upperBound...]) } ?? ""
        var e = Entity(headers: unfold(head), raw: raw)
        if e.mediaType.hasPrefix("multipart/"), let boundary = e.parameter("boundary") {
            let pieces = raw.components(separatedBy: "--" + boundary)
            // pieces[0] is the preamble; the last starts with "--" (the close delimiter).
            for piece in pieces.dropFirst() where !piece.hasPrefix("--") {
                var body = piece
                if body.hasPrefix("\r\n") { body.removeFirst() }  // "\r\n" is one Character
                if body.hasSuffix("\r\n") { body.removeLast() }
                e.parts.append(entity(body))
            }
        }
        return e
    }

    /// RFC 5322 unfolding: a CRLF followed by white space is removed; then one field per line.
    static func unfold(_ head: String) -> [(name: String, value: String)] {
        let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
        return unfolded.components(separatedBy: "\r\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// Decodes RFC 2047 encoded-words (Q and B, UTF-8); white space between adjacent words is dropped.
    static func decodeWords(_ value: String) -> String {
        let pattern = try! NSRegularExpression(pattern: "=\\?([^?]+)\\?([QqBb])\\?([^?]*)\\?=")
        let ns = value as NSString
        var out = "", last = 0, lastWasWord = false
        for m in pattern.matches(in: value, range: NSRange(location: 0, length: ns.length)) {
            let between = ns.substring(with: NSRange(location: last, length: m.range.location - last))
            if !(lastWasWord && between.allSatisfy(\.isWhitespace)) { out += between }
            out += String(decoding: decodeWord(ns.substring(with: m.range(at: 2)), ns.substring(with: m.range(at: 3))), as: UTF8.self)
            last = m.range.location + m.range.length
            lastWasWord = true
        }
        return out + ns.substring(from: last)
    }

    static func decodeWord(_ encoding: String, _ text: String) -> [UInt8] {
        if encoding.uppercased() == "B" { return [UInt8](Data(base64Encoded: text) ?? Data()) }
        return decodeQuotedPrintable(text.replacingOccurrences(of: "_", with: " "))
    }

    static func decodeQuotedPrintable(_ s: String) -> [UInt8] {
        let bytes = Array(s.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var out: [UInt8] = [], i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "="), i + 2 < bytes.count,
               let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// Lines of a text with CRLF ends; fails on a bare CR or LF.
    static func crlfLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = [], start = 0, i = 0
        while i < bytes.count {
            if bytes[i] == 13 {
                #expect(i + 1 < bytes.count && bytes[i + 1] == 10, "bare CR at \(i)")
                lines.append(bytes[start..<i])
                i += 2
                start = i
            } else {
                #expect(bytes[i] != 10, "bare LF at \(i)")
                i += 1
            }
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }
}
