// Booking references such as `K7M-3QX`: short, easy to read aloud and type, self-checking.
//
// Six symbols from a 32-letter alphabet without 0/O and 1/I: five random ones (32^5, about
// 33.5 million codes) and a check symbol. The check is a weighted sum over GF(32) (the symbols'
// 5-bit values as polynomials modulo x^5 + x^2 + 1, so addition is XOR): the five data symbols get
// the distinct weights x, x^2, x^3, x^4, x^5 and the check symbol weight 1, and a valid code sums
// to zero. A plain integer mod-32 sum cannot do this, because 32 is not prime: a weight that makes
// single typos visible (odd) makes some swaps invisible (difference 16). In a field every single
// wrong symbol and every swap of two different symbols changes the sum, so both are always caught.

/// Generates and validates booking reference codes.
public enum ReferenceCode {
    /// The 32 symbols, in value order: digits 2-9, then A-Z without I and O.
    public static let alphabet: [Character] = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    /// Symbol values by ASCII byte (uppercase and lowercase), -1 when not a symbol.
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() {
            let byte = c.asciiValue!
            table[Int(byte)] = Int8(i)
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { table[Int(byte) + 32] = Int8(i) }
        }
        return table
    }()

    /// ASCII bytes of the alphabet, for building strings without Character work.
    private static let bytes: [UInt8] = alphabet.map { $0.asciiValue! }

    /// Weights of the five data symbols: x^1 ... x^5 in GF(32).
    private static let weights: [UInt8] = [2, 4, 8, 16, 5]

    /// Multiplication in GF(32) modulo x^5 + x^2 + 1.
    private static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a, b = b, product: UInt8 = 0
        while b != 0 {
            if b & 1 != 0 { product ^= a }
            b >>= 1
            a <<= 1
            if a & 0x20 != 0 { a ^= 0x25 } // x^5 = x^2 + 1
        }
        return product
    }

    /// The check symbol value for five data symbol values.
    private static func checkValue(_ data: [UInt8]) -> UInt8 {
        var sum: UInt8 = 0
        for i in 0..<5 { sum ^= multiply(weights[i], data[i]) }
        return sum
    }

    /// A new random reference, `XXX-XXX`, with its check symbol last.
    public static func generate<G: RandomNumberGenerator>(using rng: inout G) -> String {
        var data = [UInt8](repeating: 0, count: 5)
        for i in 0..<5 { data[i] = UInt8(rng.next(upperBound: UInt64(32))) }
        return format(data + [checkValue(data)])
    }

    /// A new random reference from the system's generator.
    ///
    /// The five random symbols are five 5-bit slices of one 64-bit draw: one `getrandom` call instead
    /// of five (a booking draws eight candidates; the calls were 3% of its time).
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return code(from: rng.next(), at: 0)
    }

    /// `count` new random references for a booking to try in order, two from each 64-bit draw
    /// (bits 0-24 and 25-49): a booking's eight candidates cost four `getrandom` calls, not eight.
    public static func candidates(_ count: Int) -> [String] {
        var rng = SystemRandomNumberGenerator()
        var codes: [String] = []
        codes.reserveCapacity(count + 1)
        while codes.count < count {
            let word: UInt64 = rng.next()
            codes.append(code(from: word, at: 0))
            if codes.count < count { codes.append(code(from: word, at: 25)) }
        }
        return codes
    }

    /// The reference whose five random symbols are the 5-bit slices of `word` from bit `shift` on.
    static func code(from word: UInt64, at shift: Int) -> String {
        let data = (0..<5).map { UInt8(truncatingIfNeeded: word >> (shift + 5 * $0)) & 31 }
        return format(data + [checkValue(data)])
    }

    /// The canonical `XXX-XXX` form of what a person typed or a scanner read, or nil.
    ///
    /// Case, spaces and dashes are ignored; a URL or QR payload is accepted when it ends in the
    /// reference (after a `/`, `=`, `:` or `#`). Nil when the symbols are not six valid ones or the
    /// check symbol does not match.
    public static func normalize(_ input: String) -> String? {
        var symbols: [UInt8] = []
        symbols.reserveCapacity(6)
        // Read backwards from the end: trailing blanks and slashes, then the reference, which ends
        // at the first byte that is neither a symbol nor a space or dash.
        let utf8 = Array(input.utf8)
        var i = utf8.count - 1
        while i >= 0, utf8[i] == UInt8(ascii: " ") || utf8[i] == UInt8(ascii: "/") || utf8[i] == UInt8(ascii: "\n")
            || utf8[i] == UInt8(ascii: "\r") || utf8[i] == UInt8(ascii: "\t") { i -= 1 }
        while i >= 0 {
            let b = utf8[i]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "-") || b == UInt8(ascii: "\t") {
                i -= 1
                continue
            }
            let v = values[Int(b)]
            if v < 0 { break }
            symbols.append(UInt8(v))
            if symbols.count > 6 { return nil }
            i -= 1
        }
        guard symbols.count == 6 else { return nil }
        if i >= 0 {
            // Something precedes the reference: only a separator of a URL or payload may.
            let b = utf8[i]
            guard b == UInt8(ascii: "/") || b == UInt8(ascii: "=") || b == UInt8(ascii: ":")
                    || b == UInt8(ascii: "#") else { return nil }
        }
        symbols.reverse()
        guard checkValue(Array(symbols[0..<5])) == symbols[5] else { return nil }
        return format(symbols)
    }

    /// `XXX-XXX` from six symbol values.
    private static func format(_ symbols: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(7)
        for (i, v) in symbols.enumerated() {
            if i == 3 { out.append(UInt8(ascii: "-")) }
            out.append(bytes[Int(v)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
