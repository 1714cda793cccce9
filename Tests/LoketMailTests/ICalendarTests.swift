// Calendar files: one UID for the appointment's life, a rising SEQUENCE, METHOD and STATUS
// for cancels, instants in UTC across the change to summer time, and the meeting link.
import Foundation
import LoketCore
import Testing
@testable import LoketMail

@Suite struct ICalendarTests {
    typealias F = MailFixture

    static func appointment(start: Date = F.tuesday1030, end: Date = F.tuesday1045, location: String = "stadhuis",
                            status: AppointmentStatus = .booked, name: String = "Élise Van den Broeck") -> Appointment {
        Appointment(reference: F.reference, location: location, items: [Appointment.Item(service: "eid", persons: 2)],
                    start: start, end: end, status: status, name: name, email: "elise@example.be", phone: nil,
                    language: .nl, channel: .online, createdAt: F.now)
    }

    /// Checks CRLF ends and the 75-octet limit, then returns the unfolded content lines.
    static func unfolded(_ ics: String) -> [String] {
        #expect(ics.hasSuffix("\r\n"))
        let lines = Reader.crlfLines(Array(ics.utf8))
        for line in lines { #expect(line.count <= 75, "line of \(line.count) octets") }
        return ics.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").dropLast()
    }

    @Test func aBookingIsARequestWithSequenceZeroAtTheRightInstant() {
        let ics = ICalendar.event(for: Self.appointment(), sequence: 0, method: .request, catalogue: F.catalogue, language: .nl,
                                  now: F.now, publicURL: "https://loket.wilgendaal.be", meetingURL: nil,
                                  organizer: MailAddress("loket@wilgendaal.be", name: "Gemeente Wilgendaal"))
        let lines = Self.unfolded(ics)
        #expect(lines.first == "BEGIN:VCALENDAR" && lines.last == "END:VCALENDAR")
        #expect(lines.contains("METHOD:REQUEST"))
        #expect(lines.contains("UID:K7M-3QX@loket"))
        #expect(lines.contains("SEQUENCE:0"))
        // 2026-12-01 is a Tuesday; 10:30 in Brussels (+01:00) is 09:30 UTC.
        #expect(lines.contains("DTSTART:20261201T093000Z"))
        #expect(lines.contains("DTEND:20261201T094500Z"))
        #expect(lines.contains("DTSTAMP:20261130T070000Z"))
        #expect(lines.contains("STATUS:CONFIRMED"))
        #expect(lines.contains("SUMMARY:Identiteitskaart (eID) (2) – Gemeente Wilgendaal"))
        #expect(lines.contains("LOCATION:Stadhuis Wilgendaal\\, Markt 1\\, 9999 Wilgendaal"))
        #expect(lines.contains("ORGANIZER;CN=\"Gemeente Wilgendaal\":mailto:loket@wilgendaal.be"))
        #expect(lines.contains { $0.hasPrefix("ATTENDEE;CN=\"Élise Van den Broeck\";") && $0.hasSuffix(":mailto:elise@example.be") })
        #expect(lines.contains("URL:https://loket.wilgendaal.be/book"))
        #expect(lines.contains("BEGIN:VALARM"))
    }

    @Test func aCancelKeepsTheUIDAndRaisesTheSequence() {
        let ics = ICalendar.event(for: Self.appointment(status: .cancelled), sequence: 2, method: .cancel, catalogue: F.catalogue,
                                  language: .fr, now: F.now, publicURL: nil, meetingURL: nil,
                                  organizer: MailAddress("loket@wilgendaal.be"))
        let lines = Self.unfolded(ics)
        #expect(lines.contains("METHOD:CANCEL"))
        #expect(lines.contains("STATUS:CANCELLED"))
        #expect(lines.contains("UID:K7M-3QX@loket"))
        #expect(lines.contains("SEQUENCE:2"))
        #expect(!lines.contains("BEGIN:VALARM"), "no alarm for an event that was removed")
        #expect(lines.contains("ORGANIZER;CN=\"Commune de Wilgendaal\":mailto:loket@wilgendaal.be"))
    }

    @Test func theDownloadIsAsBefore() {
        // Sequence 0 and PUBLISH: no SEQUENCE (0 is the default), no ORGANIZER, no ATTENDEE.
        let ics = ICalendar.event(for: Self.appointment(), sequence: 0, method: .publish, catalogue: F.catalogue, language: .nl,
                                  now: F.now, publicURL: "https://loket.wilgendaal.be", meetingURL: nil)
        let lines = Self.unfolded(ics)
        #expect(Array(lines.prefix(8)) == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Loket//Gemeente Wilgendaal//NL",
                                           "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT", "UID:K7M-3QX@loket",
                                           "DTSTAMP:20261130T070000Z"])
        #expect(!lines.contains { $0.hasPrefix("SEQUENCE") || $0.hasPrefix("ORGANIZER") || $0.hasPrefix("ATTENDEE") })
        #expect(lines.contains("URL:https://loket.wilgendaal.be/book"))
        // A later version of the download says its sequence (RFC 5546: present when above 0).
        let later = ICalendar.event(for: Self.appointment(), sequence: 3, method: .publish, catalogue: F.catalogue, language: .nl,
                                    now: F.now, publicURL: nil, meetingURL: nil)
        #expect(Self.unfolded(later).contains("SEQUENCE:3"))
    }

    @Test func instantsAcrossTheChangeToSummerTime() {
        // 2027-03-28 is a Sunday: Brussels moves from +01:00 to +02:00 at 02:00.
        #expect(CivilDate("2027-03-28")!.weekday == .sunday)
        let before = ICalendar.event(for: Self.appointment(start: F.friday1000, end: F.friday1000.addingTimeInterval(900)),
                                     sequence: 0, method: .request, catalogue: F.catalogue, language: .nl, now: F.now,
                                     publicURL: nil, meetingURL: nil)
        // 2027-03-26 is a Friday: 10:00 at +01:00 is 09:00 UTC.
        #expect(Self.unfolded(before).contains("DTSTART:20270326T090000Z"))
        let after = ICalendar.event(for: Self.appointment(start: F.monday1000, end: F.monday1020), sequence: 1, method: .request,
                                    catalogue: F.catalogue, language: .nl, now: F.now, publicURL: nil, meetingURL: nil)
        // 2027-03-29 is a Monday: 10:00 at +02:00 is 08:00 UTC.
        let lines = Self.unfolded(after)
        #expect(lines.contains("DTSTART:20270329T080000Z"))
        #expect(lines.contains("DTEND:20270329T082000Z"))
        #expect(lines.contains("SEQUENCE:1"))
    }

    @Test func aVideoAppointmentIsAtItsMeetingLink() {
        let ics = ICalendar.event(for: Self.appointment(location: "video-loket"), sequence: 0, method: .request,
                                  catalogue: F.catalogue, language: .en, now: F.now, publicURL: "https://loket.wilgendaal.be",
                                  meetingURL: F.meeting)
        let lines = Self.unfolded(ics)
        #expect(lines.contains("LOCATION:\(F.meeting)"))
        #expect(lines.contains("URL:\(F.meeting)"))
        #expect(lines.contains { $0.hasPrefix("DESCRIPTION:") && $0.contains("Video call: \(F.meeting)") })
        let townHall = ICalendar.event(for: Self.appointment(), sequence: 0, method: .request, catalogue: F.catalogue,
                                       language: .en, now: F.now, publicURL: nil, meetingURL: nil)
        #expect(!townHall.contains("meet."))
    }

    @Test func controlCharactersCannotBreakALine() {
        let ics = ICalendar.event(for: Self.appointment(name: "An\r\nATTENDEE:mailto:evil@example.com\u{0}\""), sequence: 0,
                                  method: .request, catalogue: F.catalogue, language: .nl, now: F.now, publicURL: nil,
                                  meetingURL: "https://meet.example.be/x\r\nURL:evil", organizer: MailAddress("loket@wilgendaal.be"))
        let lines = Self.unfolded(ics)
        #expect(lines.filter { $0.hasPrefix("ATTENDEE") }.count == 1)
        #expect(!lines.contains { $0.hasPrefix("URL:evil") })
        #expect(!ics.contains("\u{0}"))
    }
}
