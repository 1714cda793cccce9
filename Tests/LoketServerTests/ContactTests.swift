// `Contact.isEmail` checks ASCII addresses byte by byte; these compare it with the Character
// version it replaced (still used for any other text) on many random short strings.
import Foundation
import LoketCore
import Testing
@testable import LoketServer

@Suite struct ContactTests {
    @Test func asciiEmailCheckAnswersAsTheCharacterCheck() {
        var rng = SplitMix64(seed: 20_261_201)
        let symbols = Array("ab.@@.. x\t\r\n\u{0B}\u{0C}-_+Z9".utf8)
        var accepted = 0
        for _ in 0..<50_000 {
            let bytes = (0..<Int.random(in: 0...9, using: &rng)).map { _ in symbols[Int(rng.next(upperBound: UInt64(symbols.count)))] }
            let text = String(decoding: bytes, as: UTF8.self)
            let ascii = Contact.isASCIIEmail(text)
            #expect(ascii == Contact.isEmailByCharacters(text), "\(Array(text.utf8))")
            if ascii == true { accepted += 1 }
        }
        #expect(accepted > 20) // 52 with this seed: the comparison covers accepted addresses too
        for text in ["jan@example.be", "Jan.Peeters+loket@stad.gent.be", "a@b.c", "a@.bc", "a@bc.", "@b.cd", "a@b@c.d", "a b@c.de", "a@bc"] {
            #expect(Contact.isASCIIEmail(text) == Contact.isEmailByCharacters(text), "\(text)")
        }
        for text in ["zoë@example.be", "jan@exämple.be", "a@\u{301}b.cd", "jan@example.be\u{A0}"] {
            #expect(Contact.isASCIIEmail(text) == nil)
            #expect(Contact.isEmail(text) == Contact.isEmailByCharacters(text))
        }
    }
}
