// The waitlist's mails: joined, offer and expired in every language; each links to the waitlist
// page (never to an action), the offer says the slot and until when it is held.
import Foundation
import LoketCore
import Testing
@testable import LoketMail

@Suite struct WaitlistMailTests {
    typealias F = MailFixture

    static func mail(_ kind: WaitlistMailKind, _ language: Language) -> WaitlistMail {
        WaitlistMail(kind: kind, id: "wAbc-123_x", token: "tok/en+1", location: "stadhuis", service: "eid", persons: 2,
                     from: "2026-12-01", to: "2026-12-04", language: language, name: "Élise Van den Broeck",
                     email: "elise@example.be", offerStart: kind == .joined ? nil : F.tuesday1030,
                     offerEnd: kind == .joined ? nil : F.tuesday1045,
                     expiresAt: kind == .joined ? nil : F.tuesday1030.addingTimeInterval(-3600))
    }

    @Test(arguments: WaitlistMailKind.allCases, Language.allCases)
    func everyKindRendersInEveryLanguageWithAPageLinkOnly(kind: WaitlistMailKind, language: Language) throws {
        let message = F.composer.compose(Self.mail(kind, language), messageID: "<w1@loket.wilgendaal.be>", now: F.now)
        let bytes = message.rendered()
        MailRenderingTests.checkLines(bytes)
        let m = Reader.parse(bytes)
        #expect(m.header("Content-Language") == language.rawValue)
        #expect(Reader.decodeWords(try #require(m.header("To"))) == "Élise Van den Broeck <elise@example.be>")
        #expect(Reader.decodeWords(try #require(m.header("Subject"))).hasSuffix(" – " + F.eid.name.resolve(language) + " "
            + MailWording.of(language).forPersons(2)))
        let text = try #require(m.first("text/plain")).text
        let html = try #require(m.first("text/html")).text
        #expect(html.contains("<html lang=\"\(language.rawValue)\">") && html.contains("<h1"))
        let link = "https://loket.wilgendaal.be/w/wAbc-123_x?token=tok%2Fen%2B1&lang=\(language.rawValue)"
        if kind == .expired {
            #expect(!text.contains("token="), "a lapsed offer has nothing left to accept or leave")
            #expect(text.contains("https://loket.wilgendaal.be/book?lang=\(language.rawValue)"))
        } else {
            #expect(text.contains(link), "\(text)")
            #expect(html.contains(link.replacingOccurrences(of: "&", with: "&amp;")))
        }
        #expect(!text.contains("/accept") && !text.contains("/api/"), "links open a page, never an action")
        let w = MailWording.of(language)
        let civil = CivilClock(timeZone: .brussels)
        let slot = w.dateTime(civil.date(of: F.tuesday1030), civil.timeOfDay(of: F.tuesday1030))
        let held = F.tuesday1030.addingTimeInterval(-3600)
        let until = w.dateTime(civil.date(of: held), civil.timeOfDay(of: held))
        #expect(message.text.contains(slot) == (kind != .joined))
        #expect(message.text.contains(until) == (kind == .offer), "only the offer says until when the slot is held")
        #expect(message.text.contains(WaitlistWording.of(language).days(CivilDate("2026-12-01")!, CivilDate("2026-12-04")!)))
        #expect(m.first("text/calendar") == nil, "nothing to put in a calendar before it is booked")
    }
}
