// Receipt bytes, compared exactly: initialise, centre, large number, text lines, QR commands, cut.
import LoketCore
import Testing
@testable import LoketKiosk

@Suite struct ESCPOSEncoderTests {
    private let ticket = IssuedTicket(
        id: "abc123", number: "A012", service: "eid-aanvraag", serviceName: "Identiteitskaart (eID) aanvragen",
        location: "stadhuis", origin: "walkin", status: "waiting", position: 3, estimatedWaitMinutes: 12,
        issuedAt: "2026-12-01T09:00:03+01:00", statusUrl: "/t/abc123")

    private func receipt(_ language: Language = .nl) -> TicketReceipt {
        TicketReceipt(ticket: ticket, serviceName: nil, locationName: "Hôtel de ville", language: language,
                      server: "http://loket.example/", checkIn: false)
    }

    @Test func receiptContent() {
        let r = receipt()
        #expect(r.heading == "Uw volgnummer")
        #expect(r.number == "A012")
        #expect(r.lines == ["Dienst: Identiteitskaart (eID) aanvragen", "Plaats in de rij: 3",
                            "Geschatte wachttijd: ongeveer 12 min", "01/12/2026 09:00", "Hôtel de ville"])
        #expect(r.link == "http://loket.example/t/abc123")
    }

    /// Before any counter opens the receipt says when they open, never "0 minutes", in each language.
    @Test(arguments: [
        (Language.nl, "2026-12-01T08:30:00+01:00", "De loketten openen om 08:30."),
        (.fr, "2026-12-01T08:30:00+01:00", "Les guichets ouvrent à 08:30."),
        (.en, nil, "The counters are not open yet."),
        (.de, "2026-12-01T13:00:00+01:00", "Die Schalter öffnen um 13:00."),
    ] as [(Language, String?, String)])
    func beforeTheCountersOpenTheReceiptSaysWhen(language: Language, opensAt: String?, line: String) {
        var early = ticket
        early.estimatedWaitMinutes = 0
        early.countersOpen = false
        early.opensAt = opensAt
        let r = TicketReceipt(ticket: early, serviceName: nil, locationName: "Stadhuis", language: language, server: "http://x",
                              checkIn: false)
        #expect(r.lines.contains(line), "\(r.lines)")
        #expect(!r.lines.contains(KioskText(language).wait(0)), "no 'almost your turn' before the counters open: \(r.lines)")
        var open = early
        open.countersOpen = true
        #expect(!TicketReceipt(ticket: open, serviceName: nil, locationName: "Stadhuis", language: language, server: "http://x",
                               checkIn: false).lines.contains(line))
    }

    @Test func exactBytes() {
        let bytes = ESCPOSEncoder().encode(receipt())
        let link = Array("http://loket.example/t/abc123".utf8)
        var expected: [UInt8] = [0x1B, 0x40, 0x1B, 0x61, 0x01]
        expected += Array("Uw volgnummer\n".utf8)
        expected += [0x1D, 0x21, 0x22] + Array("A012\n".utf8) + [0x1D, 0x21, 0x00, 0x0A]
        expected += Array("Dienst: Identiteitskaart (eID) aanvragen\nPlaats in de rij: 3\n".utf8)
        expected += Array("Geschatte wachttijd: ongeveer 12 min\n01/12/2026 09:00\nHotel de ville\n".utf8)
        expected += [0x0A] + Array("Scan om uw beurt te volgen\n".utf8)
        expected += [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]
        expected += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06]
        expected += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]
        expected += [0x1D, 0x28, 0x6B, UInt8(link.count + 3), 0x00, 0x31, 0x50, 0x30] + link
        expected += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30, 0x0A]
        expected += link + [0x0A]
        expected += [0x1B, 0x64, 0x04, 0x1D, 0x56, 0x42, 0x00]
        #expect(bytes == expected)
    }

    @Test func onlyPrintableASCIIOutsideCommands() {
        // French receipt: é, à and the narrow spaces of French punctuation must all fold to ASCII.
        let r = TicketReceipt(ticket: ticket, serviceName: "Carte d’identité – délivrance", locationName: "Hôtel de ville",
                              language: .fr, server: "http://x", checkIn: true)
        for line in r.lines + [r.heading, r.qrLabel] {
            let folded = PlainText.ascii(line)
            #expect(folded.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(folded)")
        }
        let bytes = ESCPOSEncoder().encode(r)
        #expect(bytes.starts(with: [0x1B, 0x40]))
        #expect(bytes.suffix(4) == [0x1D, 0x56, 0x42, 0x00])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("Carte d'identite - delivrance"))
        #expect(text.contains("Vous etes enregistre. Votre numero"))
    }

    @Test func qrStoreLengthUsesBothBytes() {
        let data = [UInt8](repeating: 0x41, count: 300)
        let qr = ESCPOSEncoder.qrCode(data, moduleSize: 6) ?? []
        // fn 80 header starts after fn 65 (9 bytes), fn 67 (8) and fn 69 (8).
        #expect(Array(qr[25..<33]) == [0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30]) // 303 = 0x012F
        #expect(ESCPOSEncoder.qrCode([], moduleSize: 6) == nil)
        #expect(ESCPOSEncoder.qrCode([UInt8](repeating: 0x41, count: 8000), moduleSize: 6) == nil)
    }

    @Test func controlCharactersFromTheServerNeverReachThePrinter() {
        var evil = ticket
        evil.serviceName = "Evil\u{1B}@\u{1D}V\u{00}name"
        evil.number = "A\u{1B}1"
        let bytes = ESCPOSEncoder().encode(TicketReceipt(ticket: evil, serviceName: nil, locationName: "X", language: .en,
                                                         server: "http://x", checkIn: false))
        // Only the encoder's own commands: ESC for init, centre, feed; GS for 2 sizes, 5 QR steps, the cut.
        #expect(bytes.filter { $0 == 0x1B }.count == 3)
        #expect(bytes.filter { $0 == 0x1D }.count == 8)
        #expect(String(decoding: bytes, as: UTF8.self).contains("Evil@Vname"))
    }

    @Test func longLinesWrapAtTheWidth() {
        let encoder = ESCPOSEncoder(width: 20)
        let out = encoder.text("Duplicaat van rijbewijs aanvragen (verlies)")
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 20 })
        #expect(lines.count == 3)
    }
}
