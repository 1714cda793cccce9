// Making text safe for where it goes: a terminal must never receive control characters from the
// server (an ESC in a service name could rewrite the screen), and a receipt printer only knows
// its own code page, so receipts are folded to printable ASCII (é → e, ß → ss, – → -).
import Foundation

/// Text clean-up for the screen and the printer.
public enum PlainText {
    /// `text` without control characters (C0, DEL, C1); tabs and newlines become spaces.
    public static func printable(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: out.append(" ")
            case 0x00...0x1F, 0x7F...0x9F: continue
            default:
                if scalar.properties.generalCategory == .format { continue }
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Characters that do not lose their accent but need spelling out.
    private static let spelled: [Unicode.Scalar: String] = [
        "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o", "Ł": "L", "ł": "l",
        "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "ı": "i",
        "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-",
        "‘": "'", "’": "'", "‚": "'", "“": "\"", "”": "\"", "„": "\"", "«": "\"", "»": "\"",
        "…": "...", "€": "EUR", "·": ".", "•": "*", "°": "o", "×": "x",
        "\u{00A0}": " ", "\u{202F}": " ", "\u{2009}": " ",
    ]

    /// `text` in printable ASCII (0x20-0x7E): accents dropped, ligatures and dashes spelled out,
    /// anything else that has no ASCII form becomes `?`.
    public static func ascii(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in printable(text).unicodeScalars {
            if scalar.value >= 0x20, scalar.value < 0x7F {
                out.unicodeScalars.append(scalar)
            } else if let s = spelled[scalar] {
                out += s
            } else {
                // Canonical decomposition splits é into e + U+0301; keep the ASCII base letter.
                let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                if let base = decomposed.first, base.value >= 0x20, base.value < 0x7F {
                    out.unicodeScalars.append(base)
                } else {
                    out += "?"
                }
            }
        }
        return out
    }

    /// The first `width` characters of `text`, with `…` (or `...` for ASCII) when cut.
    public static func truncate(_ text: String, to width: Int, ascii: Bool = false) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        let ellipsis = ascii ? "..." : "…"
        guard width > ellipsis.count else { return String(text.prefix(width)) }
        return String(text.prefix(width - ellipsis.count)).trimmingTrailingSpaces() + ellipsis
    }

    /// Splits `text` into lines of at most `width` characters, at spaces where possible.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            if current.isEmpty {
                while word.count > width {
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = ""
                while word.count > width {
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
