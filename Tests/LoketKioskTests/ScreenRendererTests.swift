// Screens as plain text at 80x24 and other sizes, and the painter's escape sequences.
import Foundation
import LoketCore
import Testing
@testable import LoketKiosk

@Suite struct ScreenRendererTests {
    private let colour = TerminalStyle(colour: true, attributes: true, unicode: true)

    private func text(_ model: KioskModel, style: TerminalStyle? = nil) -> [String] {
        ScreenRenderer.render(model, style: style ?? colour).map(\.text)
    }

    @Test func startScreenAt80x24() {
        let model = TestData.onlineModel(services: 40)
        let rows = text(model)
        #expect(rows.count == 24)
        #expect(rows.allSatisfy { $0.count <= 80 })
        #expect(rows[0].hasPrefix(" Stadhuis Wilgendaal"))
        #expect(rows[0].hasSuffix("Nederlands "))
        #expect(rows[0].count == 80)
        #expect(rows[2] == " Kies uw dienst: typ het nummer en druk Enter.")
        #expect(rows[4] == " [B] Burgerzaken")
        #expect(rows[5] == "   1  Dienst nummer 1")
        #expect(rows[18].hasPrefix(" Pagina 1 van 4"))
        #expect(rows[19] == " Naar een categorie: typ haar letter (bv. B) en druk Enter.")
        #expect(rows[20].hasPrefix(" Afspraak? Typ of scan uw referentie"))
        #expect(rows[22] == " Nummer of referentie: _")
        #expect(rows[23].hasPrefix(" * terug   / taal"))
    }

    @Test func secondPageRepeatsTheHeadingAndShowsItsNumbers() {
        var model = TestData.onlineModel(services: 40)
        _ = model.handle(.key(.character("+")), now: 1)
        let rows = text(model)
        #expect(rows[4] == " [B] Burgerzaken")
        #expect(rows[5] == "  14  Dienst nummer 14")
        #expect(rows[18].hasPrefix(" Pagina 2 van 4"))
    }

    @Test func typedInputAndNoticeShow() {
        var model = TestData.onlineModel(services: 5)
        _ = model.handle(.key(.character("9")), now: 1)
        #expect(text(model)[22] == " Nummer of referentie: 9_")
        _ = model.handle(.key(.enter), now: 1)
        #expect(text(model)[21] == " Er is geen dienst met nummer 9.")
    }

    @Test func longNamesAreCutToTheWidth() {
        var model = KioskModel(settings: TestData.settings(), size: .vt100, now: 0)
        _ = model.handle(.tick, now: 0)
        let long = ServiceEntry(id: "x", name: String(repeating: "Identiteitskaart ", count: 10), categoryName: "C")
        _ = model.handle(.catalogue(.success(CatalogueSnapshot(location: TestData.location, services: [long])), .nl), now: 0)
        let row = text(model)[5]
        #expect(row.count <= 80)
        #expect(row.hasSuffix("…"))
    }

    // MARK: columns

    private static func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }

    /// (size, columns, pages, row 4, row 5, last entry row) for 150 services in two categories.
    @Test(arguments: [
        (TerminalSize(columns: 80, rows: 24), 1, 12, " [B] Burgerzaken", "    1  Dienst nummer 1", "   13  Dienst nummer 13"),
        (TerminalSize(columns: 99, rows: 24), 1, 12, " [B] Burgerzaken", "    1  Dienst nummer 1", "   13  Dienst nummer 13"),
        (TerminalSize(columns: 100, rows: 24), 2, 6, Self.pad(" [B] Burgerzaken", 50) + " [B] Burgerzaken",
         Self.pad("    1  Dienst nummer 1", 50) + "   14  Dienst nummer 14", Self.pad("   13  Dienst nummer 13", 50) + "   26  Dienst nummer 26"),
        (TerminalSize(columns: 120, rows: 30), 2, 4, Self.pad(" [B] Burgerzaken", 60) + " [B] Burgerzaken",
         Self.pad("    1  Dienst nummer 1", 60) + "   20  Dienst nummer 20", Self.pad("   19  Dienst nummer 19", 60) + "   38  Dienst nummer 38"),
    ] as [(TerminalSize, Int, Int, String, String, String)])
    func layoutFor150Services(size: TerminalSize, columns: Int, pages: Int, heading: String, first: String, last: String) {
        let model = TestData.onlineModel(services: 150, size: size)
        #expect(ScreenRenderer.listColumns(for: size) == columns)
        #expect(model.pager.pageCount == pages)
        let rows = text(model)
        #expect(rows.count == size.rows && rows.allSatisfy { $0.count <= size.columns })
        #expect(rows[4] == heading)
        #expect(rows[5] == first)
        #expect(rows[4 + ScreenRenderer.listRows(for: size) - 1] == last)
        #expect(rows[4 + ScreenRenderer.listRows(for: size)].hasPrefix(" Pagina 1 van \(pages)"))
    }

    /// Long names, with accents and combining marks, are cut with `…` on a character
    /// boundary: what shows before the ellipsis is a prefix of the name, character for character.
    @Test(arguments: [80, 99, 100, 120, 132])
    func longNamesAreCutOnACharacterBoundary(columns: Int) {
        let names = [String(repeating: "Identiteitskaart ", count: 10), String(repeating: "Rijbewijs e\u{301}e\u{301}n ", count: 12),
                     "Attestation " + String(repeating: "Réü", count: 40), String(repeating: "Ä", count: 200)]
        let list = (0..<40).map { i in
            ServiceEntry(id: "l\(i)", name: names[i % names.count], categoryName: "Burgerzaken")
        }
        let model = TestData.onlineModel(list: list, size: TerminalSize(columns: columns, rows: 24))
        let rows = text(model)
        #expect(rows.allSatisfy { $0.count <= columns })
        let cells = rows[5..<18].flatMap { row -> [String] in
            columns >= 100 ? [String(row.prefix(columns / 2)), String(row.dropFirst(columns / 2))] : [row]
        }
        for cell in cells {
            let shown = cell.trimmingCharacters(in: .whitespaces)
            guard let space = shown.firstIndex(of: " ") else { Issue.record("no number in \(cell)"); continue }
            let name = String(shown[shown.index(after: space)...].drop { $0 == " " })
            #expect(name.hasSuffix("…"), "\(cell)")
            let cut = Array(name.dropLast())
            #expect(names.contains { Array($0.prefix(cut.count)) == cut }, "\(cell)")
        }
    }

    @Test func categoryHintInAllFourLanguages() {
        var model = TestData.onlineModel(list: TestData.townHall())
        let expected = [" Naar een categorie: typ haar letter (bv. B) en druk Enter.",
                        " Aller à une catégorie : tapez sa lettre (ex. B) + Enter.",
                        " Go to a category: type its letter (e.g. B), press Enter.",
                        " Zu einer Kategorie: ihren Buchstaben (etwa B) und Enter."]
        for line in expected {
            #expect(text(model)[19] == line)
            _ = model.handle(.key(.character("/")), now: 1)
        }
        #expect(text(TestData.onlineModel(services: 5))[19].isEmpty)  // one page: nothing to jump to
    }

    @Test func categoryJumpShowsTheCategoryAndAnUnknownLetterSaysSo() {
        var model = TestData.onlineModel(list: TestData.townHall())
        _ = model.handle(.key(.character("n")), now: 1)
        _ = model.handle(.key(.enter), now: 1)
        #expect(text(model)[4] == " [N] Onderwijs")
        #expect(text(model)[5] == "  101  Dienst nummer 101")
        _ = model.handle(.key(.character("z")), now: 2)
        _ = model.handle(.key(.enter), now: 2)
        #expect(text(model)[21] == " Er is geen categorie met letter Z.")
    }

    @Test func emptyListSaysSo() {
        let model = TestData.onlineModel(services: 0)
        #expect(text(model).contains { $0.contains("Er zijn nu geen diensten open zonder afspraak.") })
    }

    @Test func outOfServiceInAllLanguages() {
        var model = TestData.onlineModel()
        _ = model.handle(.catalogue(.outage, .nl), now: 1)
        let rows = text(model)
        #expect(rows.contains { $0.trimmingCharacters(in: .whitespaces) == "Buiten dienst – meld u aan de balie" })
        #expect(rows.contains { $0.contains("Hors service") })
        #expect(rows.contains { $0.contains("Out of service") })
        #expect(rows.contains { $0.contains("Außer Betrieb") })
        #expect(!rows.contains { $0.contains("Kies uw dienst") })
    }

    @Test func ticketScreen() {
        var model = TestData.onlineModel()
        _ = model.handle(.key(.character("1")), now: 1)
        _ = model.handle(.key(.enter), now: 1)
        _ = model.handle(.ticket(.success(TestData.ticket), .walkIn(service: "s1")), now: 2)
        _ = model.handle(.printed(ticketID: "tid1", ok: false), now: 2.5)
        _ = model.handle(.tick, now: 3)
        let rows = text(model).map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(rows.contains("Uw volgnummer: A012"))
        #expect(rows.contains("Dienst: Dienst nummer 1"))
        #expect(rows.contains("Plaats in de rij: 2"))
        #expect(rows.contains("Geschatte wachttijd: ongeveer 7 min"))
        #expect(rows.contains("http://127.0.0.1:8080/t/tid1"))
        #expect(rows.contains("Printer werkt niet – meld u aan de balie"))
        #expect(rows[23] == "Terug naar het begin over 15 s (of druk *)")
        // The number in block letters.
        #expect(rows.contains(BigFont.render("A012", ink: "█")[0].trimmingCharacters(in: .whitespaces)))
    }

    @Test(arguments: [TerminalSize(columns: 40, rows: 12), TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 132, rows: 43),
                      TerminalSize(columns: 250, rows: 70), TerminalSize(columns: 1, rows: 1)])
    func everyScreenFitsEverySize(size: TerminalSize) {
        var model = TestData.onlineModel(services: 30, size: size)
        for rows in [text(model)] { #expect(rows.count == size.rows && rows.allSatisfy { $0.count <= size.columns }) }
        _ = model.handle(.key(.character("1")), now: 1)
        _ = model.handle(.key(.enter), now: 1)
        _ = model.handle(.ticket(.success(TestData.ticket), .walkIn(service: "s1")), now: 2)
        let ticket = text(model)
        #expect(ticket.count == size.rows && ticket.allSatisfy { $0.count <= size.columns })
        _ = model.handle(.catalogue(.outage, .nl), now: 3)
        _ = model.handle(.tick, now: 30)
        let out = text(model)
        #expect(out.count == size.rows && out.allSatisfy { $0.count <= size.columns })
    }

    @Test func bigFontGlyphs() {
        let rows = BigFont.render("A0")
        #expect(rows.count == 5)
        #expect(rows.allSatisfy { $0.count == BigFont.width(of: "A0") })
        #expect(rows[0] == " ###  #####")
    }

    // MARK: painter and capabilities

    @Test func painterWritesPlainVT100() {
        let rows = [ScreenLine("Titel", .title), ScreenLine("Hôtel", .error), ScreenLine("laatste")]
        let size = TerminalSize(columns: 10, rows: 3)
        let mono = FramePainter(style: TerminalStyle(colour: false, attributes: true, unicode: false)).paint(rows, size: size)
        #expect(mono == "\u{1B}[?25l\u{1B}[H\u{1B}[7mTitel     \u{1B}[0m\u{1B}[K\r\n\u{1B}[1mHotel\u{1B}[0m\u{1B}[K\r\nlaatste\u{1B}[K")
        let dumb = FramePainter(style: TerminalStyle(colour: false, attributes: false, unicode: true)).paint(rows, size: size)
        #expect(!dumb.contains("\u{1B}[7m") && !dumb.contains("\u{1B}[1m"))
        let coloured = FramePainter(style: colour).paint(rows, size: size)
        #expect(coloured.contains("\u{1B}[1;37;44m") && coloured.contains("\u{1B}[1;31mHôtel"))
    }

    @Test func lastRowNeverFillsTheLastColumn() {
        let out = FramePainter(style: colour).paint([ScreenLine("1234567890")], size: TerminalSize(columns: 10, rows: 1))
        #expect(out.contains("123456789\u{1B}[K"))
        #expect(!out.contains("1234567890"))
    }

    @Test(arguments: [
        (["TERM": "xterm-256color", "LANG": "nl_BE.UTF-8"], TerminalStyle(colour: true, attributes: true, unicode: true)),
        (["TERM": "xterm-256color", "NO_COLOR": "1"], TerminalStyle(colour: false, attributes: true, unicode: false)),
        (["TERM": "vt100", "LC_ALL": "C.UTF-8"], TerminalStyle(colour: false, attributes: true, unicode: true)),
        (["TERM": "linux", "LC_CTYPE": "en_US.utf8"], TerminalStyle(colour: true, attributes: true, unicode: true)),
        (["TERM": "dumb"], TerminalStyle(colour: false, attributes: false, unicode: false)),
        ([:], TerminalStyle(colour: false, attributes: false, unicode: false)),
    ] as [([String: String], TerminalStyle)])
    func capabilitiesFromTheEnvironment(env: [String: String], expected: TerminalStyle) {
        #expect(TerminalStyle(environment: env) == expected)
    }
}
