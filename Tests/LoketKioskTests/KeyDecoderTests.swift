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

    @Test func controlBytesEndAnUnfinishedSequence() {
        // Enter and Ctrl-C always get through, even right after the start of a sequence.
        #expect(decode([bytes("\u{1B}O\u{03}")]) == [.interrupt])
        #expect(decode([bytes("\u{1B}O"), bytes("\r")]) == [.enter])
        #expect(decode([bytes("\u{1B}[1;\u{03}")]) == [.interrupt])
        #expect(decode([bytes("\u{1B}\u{03}")]) == [.escape, .interrupt])
    }

    // MARK: properties of any input

    /// Bytes a terminal, a scanner or line noise may send: printable ASCII, control bytes, escape
    /// sequences whole and broken, UTF-8 whole and broken, and anything at all.
    private static func randomBytes(_ count: Int, escapes: Bool, _ rng: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...3: out.append(UInt8.random(in: 0x20...0x7E, using: &rng))
            case 4: out.append([0x0D, 0x0A, 0x7F, 0x08, 0x03, 0x0C, 0x00, 0x01, 0x1A].randomElement(using: &rng)!)
            case 5: out += Array(["é", "ß", "€", "😀", "\u{301}", "\u{85}"].randomElement(using: &rng)!.utf8)
            case 6: out.append(UInt8.random(in: 0x80...0xFF, using: &rng))
            case 7 where escapes:
                out += [0x1B] + (["[", "O", "[5", "[1;2", "[15", "", "\u{1B}"].randomElement(using: &rng)!.utf8)
            default: out.append(UInt8.random(in: 0...0xFF, using: &rng))
            }
        }
        return escapes ? out : out.map { $0 == 0x1B ? 0x20 : $0 }
    }

    /// A stream cut into chunks of 0-15 bytes; every third chunk ends in Enter or Ctrl-C.
    private static func randomChunks(escapes: Bool, _ rng: inout SplitMix64) -> [[UInt8]] {
        (0..<Int.random(in: 1...40, using: &rng)).map { i in
            var chunk = randomBytes(Int.random(in: 0...15, using: &rng), escapes: escapes, &rng)
            if i % 3 == 2 { chunk.append([0x0D, 0x0A, 0x03].randomElement(using: &rng)!) }
            return chunk
        }
    }

    /// The scalars typed: single characters and those inside bursts.
    private static func typed(_ keys: [Key]) -> [Unicode.Scalar] {
        keys.flatMap { key -> [Unicode.Scalar] in
            switch key {
            case let .character(c): return Array(c.unicodeScalars)
            case let .text(s): return Array(s.unicodeScalars)
            default: return []
            }
        }
    }

    @Test func seededRandomBytesKeepTheDecodersPromises() {
        let seed: UInt64 = 20261201
        print("KeyDecoder fuzz seed \(seed)")
        var rng = SplitMix64(seed: seed)
        let burst = 4
        for round in 0..<1500 {
            let escapes = round % 2 == 1
            let chunks = Self.randomChunks(escapes: escapes, &rng)
            let at = "seed \(seed), round \(round), chunks \(chunks)"
            var decoder = KeyDecoder(burstLength: burst)
            #expect(decoder.feed([]) == [] && !decoder.hasPending, "nothing in, nothing out: \(at)")
            var keys: [Key] = []
            for chunk in chunks {
                let out = decoder.feed(chunk)
                keys += out
                // A burst is at least `burst` characters; a shorter run stays single characters.
                var run = 0
                for key in out {
                    if case let .text(s) = key { #expect(s.unicodeScalars.count >= burst, "short burst \(s): \(at)") }
                    if case .character = key { run += 1 } else { run = 0 }
                    #expect(run < burst, "\(run) characters in a row not merged: \(at)")
                }
                // Enter, Ctrl-C: the key always comes out and the decoder is idle again.
                if let last = chunk.last, [0x0D, 0x0A, 0x03].contains(last) {
                    #expect(!decoder.hasPending, "pending after a terminating byte: \(at)")
                    #expect(out.last == (last == 0x03 ? Key.interrupt : Key.enter), "\(out) after \(chunk): \(at)")
                }
            }
            keys += decoder.flush()
            #expect(!decoder.hasPending, "pending after flush: \(at)")
            #expect(decoder.flush() == [], "a second flush found something: \(at)")

            // Every key took at least one byte of its own (a burst: one per character).
            let bytes = chunks.joined()
            let weight = keys.reduce(0) { n, key in
                if case let .text(s) = key { return n + s.unicodeScalars.count }
                return n + 1
            }
            #expect(weight <= bytes.count, "\(weight) keys from \(bytes.count) bytes: \(at)")
            guard !escapes else { continue }

            // Without ESC nothing is a sequence: every printable ASCII byte is typed, in order, and
            // every control byte the kiosk knows gives its key once (CR LF in one read: one Enter).
            let ascii = Self.typed(keys).filter { (0x20...0x7E).contains($0.value) }.map { UInt8($0.value) }
            #expect(ascii == bytes.filter { (0x20...0x7E).contains($0) }, "typed \(ascii): \(at)")
            let crlf = chunks.reduce(0) { n, c in n + zip(c, c.dropFirst()).filter { $0 == (0x0D, 0x0A) }.count }
            let count = { (k: Key) in keys.filter { $0 == k }.count }
            let bytesOf = { (set: Set<UInt8>) in bytes.filter { set.contains($0) }.count }
            #expect(count(.enter) == bytesOf([0x0D, 0x0A]) - crlf, "enters: \(at)")
            #expect(count(.backspace) == bytesOf([0x7F, 0x08]), "backspaces: \(at)")
            #expect(count(.interrupt) == bytesOf([0x03]), "interrupts: \(at)")
            #expect(count(.redraw) == bytesOf([0x0C]), "redraws: \(at)")
            #expect(count(.escape) == 0, "escape without ESC: \(at)")
        }
    }
}

