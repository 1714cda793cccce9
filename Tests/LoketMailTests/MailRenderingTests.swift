// Messages as bytes: headers that parse, RFC 2047 subjects and names that survive the trip,
// quoted-printable bodies, short CRLF lines, and no header injection through any value.
import Foundation
import LoketCore
import Testing
@testable import LoketMail

@Suite struct MailRenderingTests {
    static let subjects = [
        "Wijziging afspraak – Identiteitskaart (eID)",
        "Rendez-vous confirmé à l'hôtel de ville",
        "Terminbestätigung – Personalausweis (eID), Reisepass (2 Personen), Führerschein, Anmeldung (Wohnsitz) – Größe",
        "Bevestiging 👨‍👩‍👧‍👦 afspraak – café „De Ploeg”, 1ste verdieping: één, twee, drie, vier, vijf, zes, zeven, acht",
        "Plain ASCII subject that is long enough to be folded at a space somewhere in the middle of it, surely",
    ]

    static func message(subject: String = "Test", to: MailAddress = MailAddress("an@example.be", name: "An"),
                        from: MailAddress = MailAddress("loket@wilgendaal.be", name: "Gemeente Wilgendaal"),
                        replyTo: MailAddress? = nil, text: String = "Hallo", html: String = "<p>Hallo</p>",
                        attachments: [MailAttachment] = []) -> MailMessage {
        // 2026-12-01 is a Tuesday.
        MailMessage(messageID: "<abc123@loket.wilgendaal.be>", date: MailFixture.instant("2026-12-01T10:30:00+01:00"),
                    from: from, replyTo: replyTo, to: to, subject: subject, text: text, html: html, attachments: attachments,
                    language: "nl")
    }

    /// Every line ends in CRLF and has at most 998 octets; header lines at most 78.
    static func checkLines(_ bytes: [UInt8]) {
        let lines = Reader.crlfLines(bytes)
        #expect(bytes.suffix(2) == [13, 10])
        for line in lines { #expect(line.count <= 998) }
        for line in lines.prefix(while: { !$0.isEmpty }) { #expect(line.count <= 78, "\(String(decoding: line, as: UTF8.self))") }
    }

    @Test func subjectsSurviveRFC2047() {
        for subject in Self.subjects {
            let bytes = Self.message(subject: subject).rendered()
            Self.checkLines(bytes)
            let m = Reader.parse(bytes)
            let raw = try! #require(m.header("Subject"))
            #expect(Reader.decodeWords(raw) == subject)
            // Each encoded-word is at most 75 characters and holds whole characters (valid UTF-8 alone).
            let words = raw.split(separator: " ").filter { $0.hasPrefix("=?") }
            #expect(words.isEmpty == subject.allSatisfy(\.isASCII))
            for word in words {
                #expect(word.count <= 75, "\(word)")
                let payload = word.dropFirst("=?UTF-8?Q?".count).dropLast(2)
                #expect(String(validating: Reader.decodeWord("Q", String(payload)), as: UTF8.self) != nil, "\(word) splits a character")
            }
        }
    }

    @Test func encodedWordsSplitBetweenCharactersNotInsideThem() {
        // A cluster of 3 scalars (e + two combining marks) repeated: no word may end inside a cluster.
        let text = String(repeating: "e\u{0301}\u{0323}", count: 40)
        for word in MIMEEncoding.encodedWords(text) {
            let decoded = String(decoding: Reader.decodeWord("Q", String(word.dropFirst(10).dropLast(2))), as: UTF8.self)
            #expect(decoded.unicodeScalars.count % 3 == 0, "\(word)")
        }
    }

    @Test func displayNamesAreQuotedOrEncoded() {
        let cases: [(String, String)] = [
            ("Gemeente Wilgendaal", "Gemeente Wilgendaal <loket@wilgendaal.be>"),
            ("Wilgendaal, dienst \"Burgerzaken\"", "\"Wilgendaal, dienst \\\"Burgerzaken\\\"\" <loket@wilgendaal.be>"),
        ]
        for (name, expected) in cases {
            let m = Reader.parse(Self.message(from: MailAddress("loket@wilgendaal.be", name: name)).rendered())
            #expect(m.header("From") == expected)
        }
        for name in ["Hôtel de ville de Wilgendaal", "Élise Van den Broeck-Çelik Ñúñez Østergaard Łukasiewicz Żółć Ärger Übel"] {
            let bytes = Self.message(to: MailAddress("elise@example.be", name: name)).rendered()
            Self.checkLines(bytes)
            let to = try! #require(Reader.parse(bytes).header("To"))
            #expect(Reader.decodeWords(to) == name + " <elise@example.be>")
        }
    }

    @Test func headersAreThereOnceAndInOrder() {
        let bytes = Self.message(replyTo: MailAddress("burgerzaken@wilgendaal.be")).rendered()
        let m = Reader.parse(bytes)
        #expect(m.headers.map(\.name) == ["Date", "Message-ID", "From", "Reply-To", "To", "Subject", "MIME-Version",
                                          "Content-Language", "Auto-Submitted", "Content-Type"])
        #expect(m.header("Date") == "Tue, 01 Dec 2026 09:30:00 +0000")
        #expect(m.header("Message-ID") == "<abc123@loket.wilgendaal.be>")
        #expect(m.header("Reply-To") == "<burgerzaken@wilgendaal.be>")
        #expect(m.header("Auto-Submitted") == "auto-generated")
        #expect(m.header("Content-Language") == "nl")
        #expect(m.header("MIME-Version") == "1.0")
        #expect(!Reader.parse(Self.message().rendered()).headers.contains { $0.name == "Reply-To" })
    }

    @Test func rfc5322DatesInUTC() {
        // 2027-03-28 is a Sunday; 01:59:59 UTC is just before summer time starts in Brussels.
        #expect(MIMEEncoding.date(MailFixture.instant("2027-03-28T01:59:59Z")) == "Sun, 28 Mar 2027 01:59:59 +0000")
        // 2027-01-01 is a Friday.
        #expect(MIMEEncoding.date(MailFixture.instant("2027-01-01T00:00:00+01:00")) == "Thu, 31 Dec 2026 23:00:00 +0000")
    }

    @Test func injectionThroughAnyValueStaysOnItsLine() {
        let evil = "\r\nBcc: victim@example.com\r\n\r\nInjected body"
        let bytes = Self.message(subject: "Hallo" + evil, to: MailAddress("an@example.be" + evil, name: "An" + evil),
                                 from: MailAddress("loket@wilgendaal.be", name: "Gemeente\n\rX-Evil: 1"),
                                 replyTo: MailAddress("r@example.be\u{0}\u{85}\u{2028}Cc: x@example.com", name: "Ré\nply"),
                                 attachments: [MailAttachment(filename: "a\r\nX-Evil: 2.ics", contentType: "text/calendar\r\nX-Evil: 3",
                                                              data: [1, 2, 3], contentID: "id\r\nX-Evil: 4")]).rendered()
        Self.checkLines(bytes)
        let m = Reader.parse(bytes)
        let names = Set(m.all.flatMap { $0.headers.map { $0.name.lowercased() } })
        #expect(names.isSubset(of: ["date", "message-id", "from", "reply-to", "to", "subject", "mime-version", "content-language",
                                    "auto-submitted", "content-type", "content-transfer-encoding", "content-id",
                                    "content-disposition"]), "\(names)")
        #expect(Reader.decodeWords(m.header("Subject")!) == "Hallo Bcc: victim@example.com Injected body")
        #expect(m.header("To")!.hasSuffix("<an@example.beBccvictim@example.comInjectedbody>"))
        #expect(m.headers("To").count == 1)
        #expect(m.first("text/plain")?.text == "Hallo")
        // No address can make a header line longer than a deliverable address (254 octets) allows.
        #expect(MIMEEncoding.address(String(repeating: "é", count: 1000) + "@x.be").utf8.count == 254)
    }

    @Test func quotedPrintableRoundTrips() {
        let texts = [
            "Beste Élise,\n\nUw afspraak = bevestigd.\nRegel met spatie op het einde   \n.begint met een punt\nFrom here on",
            String(repeating: "é", count: 200) + "\n" + String(repeating: "a=", count: 120) + "\ttab",
            "",
        ]
        for text in texts {
            let qp = MIMEEncoding.quotedPrintable(text)
            for line in qp.components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 76)
                #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
                #expect(!line.hasPrefix(".") && !line.hasPrefix("From "))
                #expect(line.utf8.allSatisfy { $0 < 128 })
            }
            #expect(String(decoding: Reader.decodeQuotedPrintable(qp), as: UTF8.self) == text.replacingOccurrences(of: "\n", with: "\r\n"))
        }
    }

    @Test func structureFollowsTheParts() {
        let png = MailAttachment(filename: "qr.png", contentType: "image/png", data: [0x89, 0x50], contentID: "qr@loket")
        let ics = MailAttachment(filename: "afspraak.ics", contentType: "text/calendar; charset=utf-8; method=REQUEST",
                                 data: Array("BEGIN:VCALENDAR\r\n".utf8))
        let plain = Reader.parse(Self.message().rendered())
        #expect(plain.mediaType == "multipart/alternative")
        #expect(plain.parts.map(\.mediaType) == ["text/plain", "text/html"])

        let full = Reader.parse(Self.message(attachments: [png, ics]).rendered())
        #expect(full.mediaType == "multipart/mixed")
        #expect(full.parts.map(\.mediaType) == ["multipart/related", "text/calendar"])
        #expect(full.parts[0].parts.map(\.mediaType) == ["multipart/alternative", "image/png"])
        #expect(full.parts[0].parts[1].header("Content-ID") == "<qr@loket>")
        #expect(full.parts[0].parts[1].data == [0x89, 0x50])
        #expect(full.parts[1].header("Content-Disposition") == "attachment; filename=\"afspraak.ics\"")
        #expect(full.parts[1].text == "BEGIN:VCALENDAR\r\n")
        #expect(full.parts[1].parameter("method") == "REQUEST")
    }

    @Test func renderingIsDeterministic() {
        let m = Self.message(attachments: [MailAttachment(filename: "x.ics", contentType: "text/calendar", data: [1])])
        #expect(m.rendered() == m.rendered())
    }

    @Test func nonASCIIFileNamesUseRFC2231() {
        #expect(MIMEEncoding.parameter("filename", "afspraak.ics") == "filename=\"afspraak.ics\"")
        #expect(MIMEEncoding.parameter("filename", "rendez-vous été.ics") == "filename*=utf-8''rendez-vous%20%C3%A9t%C3%A9.ics")
    }
}
