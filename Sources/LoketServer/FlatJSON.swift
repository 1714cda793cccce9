// The small request bodies (a kiosk's ticket, a citizen's booking) read without Foundation's decoder.
//
// `JSONDecoder` was 4.5% of a walk-in ticket's CPU for a two-field body, and `decodeBody` 7% of a
// booking's. Nearly every body is one flat object of plain strings, numbers, booleans and nulls;
// `FlatJSON` reads exactly those and answers nil for anything else (escapes, nesting, fractions,
// exponents, repeated keys, trailing bytes), which then takes the `JSONDecoder` path as before. So
// every body decodes to the same value, and every bad body gets the same problem answer
// (FlatBodyTests compares both paths on many generated bodies).

/// One flat JSON object of simple values.
enum FlatJSON {
    enum Value: Equatable {
        case string(String)
        case int(Int)
        case bool(Bool)
        case null
    }

    /// The object's fields, or nil when `bytes` is not a flat object of simple values.
    static func parse(_ bytes: [UInt8]) -> [String: Value]? {
        var i = 0
        let n = bytes.count
        func skipSpace() {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }
        /// A string without escapes or control characters; nil otherwise.
        func string() -> String? {
            guard i < n, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            while i < n {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: bytes[start..<(i - 1)], as: UTF8.self)
                }
                if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
                i += 1
            }
            return nil
        }
        func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard i + count <= n else { return false }
            for k in 0..<count where bytes[i + k] != word.utf8Start[k] { return false }
            i += count
            return true
        }
        /// `-?(0|[1-9][0-9]*)` of at most 15 digits, followed by no fraction or exponent.
        func integer() -> Int? {
            var negative = false
            if i < n, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            let start = i
            var value = 0
            while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                guard i - start < 15 else { return nil }   // longer numbers take the decoder's path
                value = value * 10 + Int(bytes[i] - 0x30)
                i += 1
            }
            let digits = i - start
            guard digits > 0, !(digits > 1 && bytes[start] == 0x30) else { return nil }
            if i < n, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") { return nil }
            return negative ? -value : value
        }

        var fields: [String: Value] = [:]
        skipSpace()
        guard i < n, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        skipSpace()
        if i < n, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard let key = string(), fields[key] == nil else { return nil }
                skipSpace()
                guard i < n, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace()
                guard i < n else { return nil }
                let value: Value
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let s = string() else { return nil }
                    value = .string(s)
                case UInt8(ascii: "t"):
                    guard literal("true") else { return nil }
                    value = .bool(true)
                case UInt8(ascii: "f"):
                    guard literal("false") else { return nil }
                    value = .bool(false)
                case UInt8(ascii: "n"):
                    guard literal("null") else { return nil }
                    value = .null
                case UInt8(ascii: "-"), 0x30...0x39:
                    guard let v = integer() else { return nil }
                    value = .int(v)
                default:
                    return nil
                }
                fields[key] = value
                skipSpace()
                guard i < n else { return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                return nil
            }
        }
        skipSpace()
        return i == n ? fields : nil
    }
}
