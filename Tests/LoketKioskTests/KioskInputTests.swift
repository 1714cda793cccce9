// What a typed line means: numbers select services, references check in, typos are caught locally.
import LoketCore
import Testing
@testable import LoketKiosk

@Suite struct KioskInputTests {
    /// A valid reference made by LoketCore's own generator.
    private static let reference: String = {
        var rng = SplitMix64(seed: 7)
        return ReferenceCode.generate(using: &rng)
    }()

    @Test func emptyAndBlank() {
        #expect(KioskInput.classify("") == .empty)
        #expect(KioskInput.classify("   ") == .empty)
    }

    @Test(arguments: [("1", 1), ("07", 7), ("12", 12), ("1234", 1234), (" 3 ", 3)])
    func numbersSelectServices(line: String, n: Int) {
        #expect(KioskInput.classify(line) == .service(n))
    }

    @Test func referenceInEveryTypedForm() {
        let r = Self.reference
        let bare = r.replacingOccurrences(of: "-", with: "")
        for form in [r, bare, bare.lowercased(), "\(r.prefix(3)) \(r.suffix(3))", "https://loket.example/a/\(r)"] {
            #expect(KioskInput.classify(form) == .reference(r), "form \(form)")
        }
    }

    @Test func typosAndWrongCheckSymbolAreInvalid() {
        let r = Self.reference
        // Change the last (check) symbol to another one of the alphabet.
        let last = r.last ?? "2"
        let other: Character = last == "2" ? "3" : "2"
        #expect(KioskInput.classify(String(r.dropLast()) + String(other)) == .invalidReference)
        #expect(KioskInput.classify("K7M") == .invalidReference)
        #expect(KioskInput.classify("12345") == .invalidReference)
        #expect(KioskInput.classify("hello world") == .invalidReference)
    }

    @Test func onlyReferenceCharactersAreAccepted() {
        #expect(KioskInput.accepts("a"))
        #expect(KioskInput.accepts("7"))
        #expect(KioskInput.accepts("-"))
        #expect(KioskInput.accepts("/"))
        #expect(!KioskInput.accepts("é"))
        #expect(!KioskInput.accepts("\u{1B}"))
        #expect(!KioskInput.accepts("+"))
    }
}
