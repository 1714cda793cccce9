// Times the server sends (`2026-12-01T09:00:03+01:00`) are already in the location's time zone,
// so the kiosk shows their wall-clock part as written, without converting through its own zone.

/// The date and wall-clock time of an ISO 8601 instant as the server wrote it.
public struct ServerTime: Equatable, Sendable {
    /// The calendar fields as written by the server.
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int

    /// Parses `YYYY-MM-DDTHH:MM...`; nil for anything else.
    public init?(_ text: String) {
        let chars = Array(text.utf8)
        guard chars.count >= 16, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "), chars[13] == UInt8(ascii: ":") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                let c = chars[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(c - UInt8(ascii: "0"))
            }
            return n
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
              let mi = number(14..<16), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60 else { return nil }
        year = y
        month = mo
        day = d
        hour = h
        minute = mi
    }

    /// `01/12/2026`, as dates are written in Belgium.
    public var dateText: String { "\(Self.two(day))/\(Self.two(month))/\(year)" }
    /// `09:05`.
    public var timeText: String { "\(Self.two(hour)):\(Self.two(minute))" }
    /// `01/12/2026 09:05`.
    public var dateTimeText: String { "\(dateText) \(timeText)" }

    /// Whether both fall on the same calendar day.
    public func sameDay(as other: ServerTime) -> Bool {
        year == other.year && month == other.month && day == other.day
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
