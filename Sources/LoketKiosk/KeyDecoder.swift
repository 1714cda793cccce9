// Turns the bytes a terminal sends in raw mode into ``Key``s: a small state machine that keeps
// an unfinished escape sequence or UTF-8 character across reads, so a sequence split over two
// reads still decodes. Unknown sequences and control bytes are swallowed whole, never typed.
//
// Recognised: VT100/xterm cursor keys (`ESC [ A` and `ESC O A`), `ESC [ 5 ~`/`6 ~` page keys,
// Home/End in their common forms, and the numpad in application mode (`ESC O p`..`y` digits,
// `ESC O M` Enter, `ESC O k/m/j/o` for `+ - * /`), so the numpad works whatever mode it is in.

/// Decodes raw terminal input into keys; feed it every chunk read from the terminal.
public struct KeyDecoder: Sendable {
    /// Bytes of a sequence or character not yet complete.
    private var pending: [UInt8] = []
    /// A chunk with at least this many printable characters in a row is a scanner or paste burst.
    public var burstLength: Int

    /// A decoder; runs of `burstLength` characters in one read count as a scan.
    public init(burstLength: Int = 4) {
        self.burstLength = burstLength
    }

    /// True while a lone ESC (or an unfinished sequence) waits for more bytes; call ``flush()``
    /// when no more bytes come soon, so a plain Escape key is not held back.
    public var hasPending: Bool { !pending.isEmpty }

    /// Decodes one chunk of input; bytes of an unfinished sequence are kept for the next call.
    public mutating func feed(_ chunk: [UInt8]) -> [Key] {
        let bytes = pending + chunk
        pending = []
        var keys: [Key] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x1B:
                switch parseEscape(bytes, from: i) {
                case .incomplete:
                    pending = Array(bytes[i...])
                    return KeyDecoder.mergeBursts(keys, minimum: burstLength)
                case let .key(key, length):
                    if let key { keys.append(key) }
                    i += length
                }
            case 0x0D:
                keys.append(.enter)
                // CR LF from some terminals is one Enter.
                i += (i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
            case 0x0A:
                keys.append(.enter)
                i += 1
            case 0x7F, 0x08:
                keys.append(.backspace)
                i += 1
            case 0x03:
                keys.append(.interrupt)
                i += 1
            case 0x0C:
                keys.append(.redraw)
                i += 1
            case 0x20...0x7E:
                keys.append(.character(Character(Unicode.Scalar(b))))
                i += 1
            case 0xC0...0xFF:
                let length = b >= 0xF0 ? 4 : (b >= 0xE0 ? 3 : 2)
                if i + length > bytes.count {
                    // Keep an unfinished character for the next chunk, unless it is already broken.
                    let rest = bytes[(i + 1)...]
                    if rest.allSatisfy({ $0 & 0xC0 == 0x80 }) {
                        pending = Array(bytes[i...])
                        return KeyDecoder.mergeBursts(keys, minimum: burstLength)
                    }
                    i += 1
                    continue
                }
                let slice = Array(bytes[i..<(i + length)])
                if let s = String(validating: slice, as: UTF8.self), let c = s.first, s.count == 1,
                   !c.isNewline, c.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control }) {
                    keys.append(.character(c))
                    i += length
                } else {
                    i += 1
                }
            default:
                // Other control bytes and stray continuation bytes: ignored.
                i += 1
            }
        }
        return KeyDecoder.mergeBursts(keys, minimum: burstLength)
    }

    /// Gives up waiting for the rest of a sequence: a lone ESC becomes ``Key/escape``, anything
    /// else pending is dropped.
    public mutating func flush() -> [Key] {
        defer { pending = [] }
        return pending == [0x1B] ? [.escape] : []
    }

    private enum EscapeResult {
        case incomplete
        /// The decoded key (nil for a sequence we do not use) and how many bytes it took.
        case key(Key?, Int)
    }

    /// Parses an escape sequence starting at `start` (which holds ESC).
    private func parseEscape(_ b: [UInt8], from start: Int) -> EscapeResult {
        guard start + 1 < b.count else { return .incomplete }
        let second = b[start + 1]
        switch second {
        case UInt8(ascii: "["):
            // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E.
            var j = start + 2
            while j < b.count, (0x20...0x3F).contains(b[j]) { j += 1 }
            guard j < b.count else {
                // A very long unfinished sequence is garbage, not something to wait for.
                return j - start > 32 ? .key(nil, j - start) : .incomplete
            }
            let final = b[j]
            let length = j - start + 1
            guard (0x40...0x7E).contains(final) else { return .key(nil, length - 1) }
            let params = String(decoding: b[(start + 2)..<j], as: UTF8.self)
            return .key(KeyDecoder.csiKey(final: final, params: params), length)
        case UInt8(ascii: "O"):
            guard start + 2 < b.count else { return .incomplete }
            // A control byte (Enter, Ctrl-C) ends the sequence unfinished and still counts as itself.
            let third = b[start + 2]
            guard third >= 0x20, third != 0x7F else { return .key(nil, 2) }
            return .key(KeyDecoder.ss3Key(third), 3)
        case 0x1B:
            // ESC ESC: the first was a lone Escape.
            return .key(.escape, 1)
        case 0x20...0x7E:
            // Alt+key (ESC followed by a character): ignored.
            return .key(nil, 2)
        default:
            return .key(.escape, 1)
        }
    }

    private static func csiKey(final: UInt8, params: String) -> Key? {
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "~"):
            switch params.split(separator: ";").first.map(String.init) ?? "" {
            case "1", "7": return .home
            case "4", "8": return .end
            case "3": return .backspace
            case "5": return .pageUp
            case "6": return .pageDown
            default: return nil
            }
        default: return nil
        }
    }

    private static func ss3Key(_ c: UInt8) -> Key? {
        switch c {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "M"): return .enter
        case UInt8(ascii: "k"): return .character("+")
        case UInt8(ascii: "m"): return .character("-")
        case UInt8(ascii: "j"): return .character("*")
        case UInt8(ascii: "o"): return .character("/")
        case UInt8(ascii: "n"): return .character(".")
        case UInt8(ascii: "p")...UInt8(ascii: "y"):
            return .character(Character(Unicode.Scalar(c - UInt8(ascii: "p") + UInt8(ascii: "0"))))
        default: return nil
        }
    }

    /// Joins runs of at least `minimum` characters into one ``Key/text``.
    static func mergeBursts(_ keys: [Key], minimum: Int) -> [Key] {
        var out: [Key] = []
        var run: [Character] = []
        func close() {
            if run.count >= minimum {
                out.append(.text(String(run)))
            } else {
                out.append(contentsOf: run.map(Key.character))
            }
            run = []
        }
        for key in keys {
            if case let .character(c) = key {
                run.append(c)
            } else {
                close()
                out.append(key)
            }
        }
        close()
        return out
    }
}
