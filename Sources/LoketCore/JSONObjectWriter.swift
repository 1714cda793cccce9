// JSON objects written byte by byte, for the answers and events of the hottest paths.
//
// A walk-in ticket used to spend about 11% of its CPU in Foundation's `JSONEncoder` (the answer
// and its two events: boxing every field, sorting the keys, then writing). A hand-written encoder
// names its fields in the order the sorted encoder writes them and escapes strings the way it does
// (`"`, `\`, the control characters; `/` and all other text as is), so the bytes are the same:
// HandWrittenJSONTests compares them with `JSONEncoder([.sortedKeys, .withoutEscapingSlashes])`
// for many random values. Use it only where the profile shows the encoder; everything else keeps `Encodable`.

/// Writes one JSON object; the caller adds the fields in sorted key order.
public struct JSONObjectWriter {
    public private(set) var bytes: [UInt8]
    private var empty = true

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// The finished object.
    public func finished() -> [UInt8] { bytes + [UInt8(ascii: "}")] }

    /// Adds `"key":` (keys are plain ASCII names, never escaped).
    private mutating func key(_ name: StaticString) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        JSONObjectWriter.appendString(value, to: &bytes)
    }

    /// Left out when nil, as `encodeIfPresent` does.
    public mutating func field(_ name: StaticString, _ value: String?) {
        if let value { field(name, value) }
    }

    public mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func field(_ name: StaticString, _ value: Int?) {
        if let value { field(name, value) }
    }

    public mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    public mutating func field(_ name: StaticString, _ value: Bool?) {
        if let value { field(name, value) }
    }

    /// A value written already (an object or a list from another writer).
    public mutating func field(_ name: StaticString, json: [UInt8]) {
        key(name)
        bytes.append(contentsOf: json)
    }

    /// `[a,b,...]` of objects written by `element`.
    public static func list<T>(_ values: [T], _ element: (T) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: element(v))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// `["a","b",...]`.
    public static func list(strings: [String]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, s) in strings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// `"text"` escaped as `JSONEncoder` escapes it without escaping slashes.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// `value` in decimal, zero-padded to `width` characters, as `String(format: "%0<width>d")` writes it.
/// (`String(format:)` goes through CoreFoundation: 3.5% of a walk-in ticket's CPU in the profile.)
public func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value.magnitude)
    let sign = value < 0 ? "-" : ""
    let pad = width - sign.count - digits.count
    return pad > 0 ? sign + String(repeating: "0", count: pad) + digits : sign + digits
}

extension Appointment.Item {
    /// A visit's services as stored, `[{"service":"…","persons":1},…]`: keys in declaration order, as
    /// the appointments' items column and the mail outbox's payload both write them.
    public static func jsonBytes(_ items: [Appointment.Item]) -> [UInt8] {
        JSONObjectWriter.list(items) { item in
            var o = JSONObjectWriter(capacity: 48)
            o.field("service", item.service)
            o.field("persons", item.persons)
            return o.finished()
        }
    }
}
