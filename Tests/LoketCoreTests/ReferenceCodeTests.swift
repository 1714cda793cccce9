// Booking references: format, alphabet, normalisation and the check symbol.
import Testing
@testable import LoketCore

@Suite struct ReferenceCodeTests {
    /// Sample codes from a fixed generator.
    static let samples: [String] = {
        var rng = SplitMix64(seed: 42)
        return (0..<40).map { _ in ReferenceCode.generate(using: &rng) }
    }()

    @Test func alphabet() {
        #expect(ReferenceCode.alphabet.count == 32)
        #expect(Set(ReferenceCode.alphabet).count == 32)
        for confusable in "01OI" { #expect(!ReferenceCode.alphabet.contains(confusable)) }
    }

    @Test(arguments: samples)
    func format(code: String) {
        let chars = Array(code)
        #expect(chars.count == 7)
        #expect(chars[3] == "-")
        for (i, c) in chars.enumerated() where i != 3 { #expect(ReferenceCode.alphabet.contains(c)) }
        #expect(ReferenceCode.normalize(code) == code)
    }

    @Test func systemGeneratorMakesValidCodes() {
        let codes = (0..<200).map { _ in ReferenceCode.generate() }
        #expect(codes.allSatisfy { ReferenceCode.normalize($0) == $0 })
        #expect(Set(codes).count > 190) // random, not constant
    }

    /// A booking's candidates: two codes from each 64-bit draw, from separate bits, every one valid,
    /// and every symbol value turning up at every position (uniform slices, not a constant).
    @Test func candidatesAreValidAndUseSeparateBits() {
        #expect(ReferenceCode.code(from: 0x3_FFFF_FE00_0000, at: 0) == "222-222")
        #expect(ReferenceCode.code(from: 0x3_FFFF_FE00_0000, at: 25) == ReferenceCode.code(from: UInt64(1 << 25) - 1, at: 0))
        for count in [0, 1, 7, 8] { #expect(ReferenceCode.candidates(count).count == count) }
        let codes = (0..<300).flatMap { _ in ReferenceCode.candidates(8) }
        #expect(codes.allSatisfy { ReferenceCode.normalize($0) == $0 })
        #expect(Set(codes).count > 2350)
        for position in [0, 1, 2, 4, 5] {
            #expect(Set(codes.map { Array($0)[position] }).count == 32)
        }
    }

    @Test(arguments: samples.prefix(5))
    func normalizeAcceptsWhatPeopleType(code: String) {
        let plain = code.replacingOccurrences(of: "-", with: "")
        #expect(ReferenceCode.normalize(code.lowercased()) == code)
        #expect(ReferenceCode.normalize(plain) == code)
        #expect(ReferenceCode.normalize(" \(plain.prefix(2)) \(plain.dropFirst(2).prefix(2)) \(plain.suffix(2)) ") == code)
        #expect(ReferenceCode.normalize("https://loket.example.be/a/\(code)") == code)
        #expect(ReferenceCode.normalize("https://loket.example.be/checkin?ref=\(plain.lowercased())") == code)
        #expect(ReferenceCode.normalize("LOKET:\(code)\n") == code)
    }

    @Test(arguments: ["", "K7M", "K7M-3QX-2", "K7M-3Q0", "K7M-3QI", "ABCDEFGH", "x\(samples[0])", "é\(samples[0])"])
    func normalizeRejectsMalformed(input: String) {
        #expect(ReferenceCode.normalize(input) == nil)
    }

    @Test(arguments: samples)
    func everySingleTypoIsCaught(code: String) {
        let symbols = Array(code.replacingOccurrences(of: "-", with: ""))
        for position in 0..<6 {
            for replacement in ReferenceCode.alphabet where replacement != symbols[position] {
                var typo = symbols
                typo[position] = replacement
                #expect(ReferenceCode.normalize(String(typo)) == nil, "\(String(typo)) accepted")
            }
        }
    }

    @Test(arguments: samples)
    func everySwapOfNeighboursIsCaught(code: String) {
        let symbols = Array(code.replacingOccurrences(of: "-", with: ""))
        for position in 0..<5 where symbols[position] != symbols[position + 1] {
            var swapped = symbols
            swapped.swapAt(position, position + 1)
            #expect(ReferenceCode.normalize(String(swapped)) == nil, "\(String(swapped)) accepted")
        }
    }

    @Test func swapsCaughtForAllSymbolPairs() {
        // Exhaustively: for every pair of different symbols at every neighbouring position.
        let alphabet = ReferenceCode.alphabet
        var base = Array(Self.samples[0].replacingOccurrences(of: "-", with: ""))
        var caught = 0
        for position in 0..<5 {
            for a in alphabet {
                for b in alphabet where a != b {
                    base[position] = a
                    base[position + 1] = b
                    // Make it valid again by searching the check symbol when it is not involved.
                    guard position + 1 < 5 else { continue }
                    guard let fixed = alphabet.first(where: { c in
                        var v = base
                        v[5] = c
                        return ReferenceCode.normalize(String(v)) != nil
                    }) else { Issue.record("no check symbol for \(String(base))"); return }
                    base[5] = fixed
                    var swapped = base
                    swapped.swapAt(position, position + 1)
                    if ReferenceCode.normalize(String(swapped)) == nil { caught += 1 }
                }
            }
        }
        #expect(caught == 4 * 32 * 31)
    }
}
