// Checks and keys for a citizen's contact details. The key is a hash, so the cap on active
// appointments per contact works without keeping another copy of the address.
import Crypto
import Foundation

enum Contact {
    /// A plausible e-mail address: one @, a dot in the domain, no spaces.
    static func isEmail(_ s: String) -> Bool {
        if let ascii = isASCIIEmail(s) { return ascii }
        return isEmailByCharacters(s)
    }

    /// `isEmail` over the bytes of an ASCII address (every address in practice), nil for any other
    /// text. In ASCII a Character is a byte (but CR LF, which is whitespace either way) and the
    /// whitespace is 0x09-0x0D and the space, so the answer is the same; the Character version was
    /// 1.8% of a booking (ContactTests compares the two).
    static func isASCIIEmail(_ s: String) -> Bool? {
        var s = s
        return s.withUTF8 { bytes -> Bool? in
            var at = -1
            for (i, b) in bytes.enumerated() {
                if b >= 0x80 { return nil }
                if b == UInt8(ascii: "@") {
                    if at >= 0 { return false } // a second @
                    at = i
                }
            }
            var white = false
            for b in bytes where b == 0x20 || (0x09...0x0D).contains(b) { white = true }
            guard at > 0, !white else { return false }
            let domain = UnsafeBufferPointer(rebasing: bytes[(at + 1)...])
            return domain.count >= 3 && domain.contains(UInt8(ascii: ".")) && domain.first != UInt8(ascii: ".")
                && domain.last != UInt8(ascii: ".")
        }
    }

    /// `isEmail` by Characters, for any text.
    static func isEmailByCharacters(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 3, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !s.contains(where: { $0.isWhitespace }) else { return false }
        return true
    }

    /// A phone number: digits with optional leading +, spaces, dots, dashes, slashes or brackets; 8 to 15 digits.
    static func isPhone(_ s: String) -> Bool {
        let allowed = Set("0123456789 +-./()")
        guard s.allSatisfy({ allowed.contains($0) }), !s.dropFirst().contains("+") else { return false }
        let digits = s.filter(\.isNumber).count
        return (8...15).contains(digits)
    }

    /// A hash of the normalized contact (e-mail preferred), or nil without contact.
    static func key(email: String?, phone: String?) -> String? {
        let normalized: String
        if let email { normalized = "e:" + email.lowercased() }
        else if let phone { normalized = "p:" + phone.filter(\.isNumber) }
        else { return nil }
        // Lowercase hex, two digits a byte (as `String(format: "%02x")` wrote it: 32 CoreFoundation
        // formats per booking were most of this function's 6% of a booking's CPU).
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for b in SHA256.hash(data: Data(normalized.utf8)) {
            hex.append(digits[Int(b >> 4)])
            hex.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
