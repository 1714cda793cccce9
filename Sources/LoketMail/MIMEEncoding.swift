// The encodings a message needs to travel as 7-bit lines of at most 998 octets (RFC 5322,
// RFC 2045-2047): quoted-printable and base64 bodies, encoded-words for non-ASCII headers,
// quoting of display names and parameters, folding, and the neutralising of control
// characters so that no value can start a header line of its own (header injection).
import Foundation
import LoketCore

/// Encoders for headers and bodies of MIME messages.
enum MIMEEncoding {
    // MARK: Neutralising

    /// Whether `c` is a control character: C0, DEL, C1, or a Unicode line or paragraph separator.
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || c.value == 0x7F || (0x80...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029
    }

    /// `s` on one line: every run of control characters (CR, LF, TAB, ...) becomes one space.
    static func oneLine(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var lastWasControl = false
        for c in s.unicodeScalars {
            if isControl(c) {
                if !lastWasControl { out.append(" ") }
                lastWasControl = true
            } else {
                out.append(c)
                lastWasControl = false
            }
        }
        return String(out)
    }

    /// An e-mail address fit for a header: without control characters, white space and the
    /// characters that would end or split an address (`<>,;:"()[]\`), and no longer than the
    /// 254 octets a deliverable address can have (so that no header line can grow past 998).
    static func address(_ s: String) -> String {
        let forbidden = Set("<>,;:\"()[]\\".unicodeScalars)
        var out = String.UnicodeScalarView()
        var octets = 0
        for c in s.unicodeScalars where !isControl(c) && !c.properties.isWhitespace && !forbidden.contains(c) {
            octets += String(c).utf8.count
            guard octets <= 254 else { break }
            out.append(c)
        }
        return String(out)
    }

    // MARK: Header fields

    /// `Name: value`, folded at spaces so that lines stay within 78 octets where the value allows.
    static func field(_ name: String, _ value: String) -> String {
        fold(name + ": " + oneLine(value))
    }

    /// Breaks a header line at spaces (`CRLF SP`) to keep each line within `limit` octets; a
    /// word longer than the limit stays whole.
    static func fold(_ line: String, limit: Int = 78) -> String {
        guard line.utf8.count > limit else { return line }
        var lines: [String] = []
        var current = ""
        for (i, word) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if i == 0 {
                current = String(word)
            } else if current.utf8.count + 1 + word.utf8.count > limit, !current.allSatisfy({ $0 == " " }) {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    /// An unstructured header (`Subject`): as it is when it is printable ASCII, else RFC 2047
    /// encoded-words of at most 75 characters, one per line.
    static func unstructured(_ name: String, _ value: String) -> String {
        let text = oneLine(value)
        if isPlainASCII(text), !text.split(separator: " ").contains(where: { $0.utf8.count > 70 }) {
            return fold(name + ": " + text)
        }
        return name + ": " + encodedWords(text, firstLineUsed: name.utf8.count + 2).joined(separator: "\r\n ")
    }

    /// An address header: `Name <address>`, the name quoted or encoded as needed.
    static func mailbox(_ name: String, _ mailbox: MailAddress) -> String {
        let address = "<" + address(mailbox.address) + ">"
        let display = oneLine(mailbox.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !display.isEmpty else { return name + ": " + address }
        if isPlainASCII(display) {
            let atext = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
            let phrase = display.unicodeScalars.allSatisfy { atext.contains($0) } ? display
                : "\"" + display.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            return fold(name + ": " + phrase + " " + address)
        }
        let words = encodedWords(display, firstLineUsed: name.utf8.count + 2)
        return name + ": " + (words + [address]).joined(separator: "\r\n ")
    }

    /// Printable ASCII that no decoder could take for an encoded-word.
    static func isPlainASCII(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) } && !s.contains("=?")
    }

    /// `text` as RFC 2047 "Q" encoded-words in UTF-8, each at most 75 characters and split only
    /// between characters; the first one also fits after `firstLineUsed` octets in a 78-octet line.
    ///
    /// Only letters, digits and `!*+-/` stay literal (the set allowed in a phrase too); a space
    /// is `_`. Decoders ignore the white space between adjacent encoded-words, so the text's own
    /// spaces are inside the words.
    static func encodedWords(_ text: String, firstLineUsed: Int = 0) -> [String] {
        let prefix = "=?UTF-8?Q?", suffix = "?="
        let maxWord = 75 - prefix.count - suffix.count
        var budget = max(min(maxWord, 78 - firstLineUsed - prefix.count - suffix.count), 12)
        var words: [String] = []
        var current = ""
        func flush() {
            guard !current.isEmpty else { return }
            words.append(prefix + current + suffix)
            current = ""
            budget = maxWord
        }
        for character in text {
            var pieces = [qEncode(character.unicodeScalars)]
            // A cluster too large for one word (long emoji sequences) is split between its scalars.
            if pieces[0].count > maxWord { pieces = character.unicodeScalars.map { qEncode([$0]) } }
            for piece in pieces {
                if current.count + piece.count > budget { flush() }
                current += piece
            }
        }
        flush()
        return words.isEmpty ? [prefix + suffix] : words
    }

    private static func qEncode(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var out = ""
        for scalar in scalars {
            if scalar == " " {
                out += "_"
            } else if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "!*+-/".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 { out += hex(byte) }
            }
        }
        return out
    }

    /// A MIME parameter (`; filename="x.ics"`): quoted when ASCII, else RFC 2231 (`filename*=utf-8''...`).
    static func parameter(_ name: String, _ value: String) -> String {
        let value = oneLine(value)
        if value.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }) {
            return "\(name)=\"\(value)\""
        }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let encoded = value.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : "%" + hex($0).dropFirst() }.joined()
        return "\(name)*=utf-8''\(encoded)"
    }

    /// RFC 5322 date-time in UTC: `Tue, 01 Dec 2026 09:30:00 +0000`.
    static func date(_ d: Date) -> String {
        let seconds = Int(d.timeIntervalSince1970.rounded(.down))
        let dayNumber = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let day = CivilDate(dayNumber: dayNumber)
        let s = seconds - dayNumber * 86400
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(format: "%@, %02d %@ %04d %02d:%02d:%02d +0000", weekdays[day.weekday.rawValue - 1], day.day,
                      months[day.month - 1], day.year, s / 3600, s % 3600 / 60, s % 60)
    }

    // MARK: Bodies

    /// `text` as quoted-printable UTF-8 with CRLF line ends and lines of at most 76 characters.
    ///
    /// Besides what RFC 2045 requires, a `.` or `From ` at the start of a line is encoded, so that
    /// SMTP dot-stuffing and mbox files cannot alter the text.
    static func quotedPrintable(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var out = ""
        for (index, line) in normalised.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out += "\r\n" }
            let bytes = Array(line.utf8)
            var column = 0
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                var token = literal ? String(UnicodeScalar(byte)) : hex(byte)
                // Room for the soft break's "=" unless this is the line's last token.
                if column + token.count > (isLast ? 76 : 75) {
                    out += "=\r\n"
                    column = 0
                }
                if column == 0, literal, byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "F") && bytes[i...].starts(with: Array("From ".utf8))) {
                    token = hex(byte)
                }
                out += token
                column += token.count
            }
        }
        return out
    }

    /// `data` in base64, lines of 76 characters ended by CRLF.
    static func base64(_ data: [UInt8]) -> String {
        Data(data).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }
}
