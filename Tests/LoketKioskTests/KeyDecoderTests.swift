import LoketCore
// Raw terminal bytes to keys: plain keys, numpad and cursor sequences, split reads, bursts, garbage.
import Testing
@testable import LoketKiosk

@Suite struct KeyDecoderTests {
    private func decode(_ chunks: [[UInt8]], burst: Int = 4) -> [Key] {
        var decoder = KeyDecoder(burstLength: burst)
        var keys: [Key] = []
        for chunk in chunks { keys += decoder.feed(chunk) }
        return keys + decoder.flush()
    }

    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test(arguments: [
        ("1", [Key.character("1")]),
        ("+", [.character("+")]),
        ("\r", [.enter]),
        ("\n", [.enter]),
        ("\r\n", [.enter]),
        ("\u{7F}", [.backspace]),
        ("\u{08}", [.backspace]),
        ("\u{03}", [.interrupt]),
        ("\u{0C}", [.redraw]),
        ("\u{1B}[A", [.up]),
        ("\u{1B}[B", [.down]),
        ("\u{1B}OC", [.right]),
        ("\u{1B}[5~", [.pageUp]),
        ("\u{1B}[6~", [.pageDown]),
        ("\u{1B}[3~", [.backspace]),
        ("\u{1B}[1~", [.home]),
        ("\u{1B}[F", [.end]),
        ("\u{1B}Ok", [.character("+")]),
        ("\u{1B}Om", [.character("-")]),
        ("\u{1B}Oj", [.character("*")]),
        ("\u{1B}Oo", [.character("/")]),
        ("\u{1B}OM", [.enter]),
        ("\u{1B}Op", [.character("0")]),
        ("\u{1B}Oy", [.character("9")]),
        ("\u{1B}", [.escape]),
        ("\u{1B}\u{1B}", [.escape, .escape]),
    ] as [(String, [Key])])
    func singleKeys(input: String, expected: [Key]) {
        #expect(decode([bytes(input)]) == expected)
    }

    @Test func numpadApplicationModeDigitsAndEnter() {
        // ESC O q = 1, ESC O r = 2, ESC O M = Enter: what a numpad sends in application mode.
        #expect(decode([bytes("\u{1B}Oq\u{1B}Or\u{1B}OM")]) == [.character("1"), .character("2"), .enter])
    }

    @Test func sequenceSplitOverReadsStillDecodes() {
        #expect(decode([[0x1B], bytes("[6"), bytes("~")]) == [.pageDown])
        #expect(decode([bytes("1\u{1B}"), bytes("O"), bytes("M")]) == [.character("1"), .enter])
    }

    @Test func loneEscapeWaitsForFlush() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1B]) == [])
        #expect(decoder.hasPending)
        #expect(decoder.flush() == [.escape])
        #expect(!decoder.hasPending)
    }

    @Test func utf8CharacterSplitOverReads() {
        let e = Array("é".utf8)
        #expect(decode([[e[0]], [e[1]]]) == [.character("é")])
    }

    @Test func unknownSequencesAndControlBytesAreSwallowed() {
        // F5 (CSI 15 ~), a mouse report, Ctrl-A, Ctrl-Z, NUL, Alt-x: nothing typed.
        let keys = decode([bytes("\u{1B}[15~\u{1B}[M !!\u{01}\u{1A}\u{00}\u{1B}x")])
        #expect(!keys.contains(.character("1")))
        #expect(!keys.contains(.character("5")))
        #expect(!keys.contains(.character("x")))
    }

    @Test func scannerBurstBecomesText() {
        #expect(decode([bytes("K7M-3QX\r")]) == [.text("K7M-3QX"), .enter])
        #expect(decode([bytes("12\r")]) == [.character("1"), .character("2"), .enter])
    }

    @Test func invalidUTF8IsDropped() {
        #expect(decode([[0xC3, 0x28, 0x31]]) == [.character("("), .character("1")])
        #expect(decode([[0xFF, 0xFE]]) == [])
    }

    @Test func endlessCSIParameterRunIsDroppedNotBuffered() {
        let garbage: [UInt8] = [0x1B, UInt8(ascii: "[")] + Array(repeating: UInt8(ascii: "1"), count: 100)
        var decoder = KeyDecoder()
        _ = decoder.feed(garbage)
        #expect(!decoder.hasPending)
        #expect(decoder.feed(bytes("5")) == [.character("5")])
    }

    @Test func seededRandomBytesNeverCrash() {
        var rng = SplitMix64(seed: 20261201)
        print("KeyDecoder fuzz seed 20261201")
        var decoder = KeyDecoder()
        for _ in 0..<2000 {
            let n = Int(rng.next() % 16)
            let chunk = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = decoder.feed(chunk)
        }
        _ = decoder.flush()
    }
}

