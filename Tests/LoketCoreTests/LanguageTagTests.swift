// Language tags as `?lang=` and `Accept-Language` give them, read byte by byte, against the plain rule.
import Testing
@testable import LoketCore

@Suite("Language tags")
struct LanguageTagTests {
    /// The rule as first written: the first non-empty part before a dash, lowercased, is one of ours.
    static func oracle(_ tag: String) -> Language? {
        Language(rawValue: tag.split(separator: "-").first.map { String($0).lowercased() } ?? "")
    }

    @Test("the primary subtag decides, in any case, with or without a region", arguments: [
        "nl", "NL", "Nl", "fr-BE", "FR-be", "de-DE-1996", "en", "en-GB", "-nl", "--fr-x", "nl-", "", "-", "x-nl",
        "nld", "n", "es", "ñl", "NL\u{301}", "de ", " de", "\u{212A}k", "İt", "nl;q=0.9", "e\u{0}n",
    ])
    func matchesTheRule(tag: String) {
        #expect(Language(tag: tag) == Self.oracle(tag), "\(tag.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func someTagsAreOurs() {
        #expect(Language(tag: "fr-BE") == .fr)
        #expect(Language(tag: "DE") == .de)
        #expect(Language(tag: "-en") == .en)
        #expect(Language(tag: "es") == nil)
    }
}
