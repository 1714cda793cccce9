// Text clean-up: control characters out, ASCII folding for the printer, truncation and wrapping.
import Testing
@testable import LoketKiosk

@Suite struct PlainTextTests {
    @Test(arguments: [
        ("Hôtel de ville", "Hotel de ville"),
        ("Außer Betrieb – bitte", "Ausser Betrieb - bitte"),
        ("Œuvre déjà vu…", "OEuvre deja vu..."),
        ("Ærø Łódź", "AEro Lodz"),
        ("20 €", "20 EUR"),
        ("“quote” ‘it’", "\"quote\" 'it'"),
        ("Numéro\u{00A0}:", "Numero :"),
        ("日本", "??"),
    ])
    func asciiFolding(input: String, expected: String) {
        #expect(PlainText.ascii(input) == expected)
    }

    @Test func controlsAreRemoved() {
        #expect(PlainText.printable("a\u{1B}[2Jb\u{07}c\u{9B}d\u{200B}e") == "a[2Jbcde")
        #expect(PlainText.printable("two\nlines\tand tab") == "two lines and tab")
    }

    @Test func truncation() {
        #expect(PlainText.truncate("Identiteitskaart", to: 8) == "Identit…")
        #expect(PlainText.truncate("Identiteitskaart", to: 8, ascii: true) == "Ident...")
        #expect(PlainText.truncate("kort", to: 8) == "kort")
        #expect(PlainText.truncate("abc", to: 0) == "")
    }

    @Test func wrapping() {
        #expect(PlainText.wrap("een twee drie vier", width: 9) == ["een twee", "drie vier"])
        #expect(PlainText.wrap("http://127.0.0.1:8080/t/abcdef", width: 12) == ["http://127.0", ".0.1:8080/t/", "abcdef"])
        #expect(PlainText.wrap("", width: 5) == [""])
    }

    @Test func serverTimes() {
        let t = ServerTime("2026-12-01T09:05:03+01:00")
        #expect(t?.dateText == "01/12/2026")
        #expect(t?.timeText == "09:05")
        #expect(ServerTime("yesterday") == nil)
        #expect(ServerTime("2026-13-01T09:05:03+01:00") == nil)
    }
}
