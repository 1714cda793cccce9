// ISO 8601 instants and civil dates written straight into a byte buffer, for answers that list
// hundreds of them (availability). The text is the same as `CivilClock.iso8601` and
// `CivilDate.description`; only the way there is cheaper: no String per instant, and the zone's
// offset is looked up once per stretch between two of its transitions (`ZoneOffsets`) instead of
// once per instant.
import Foundation

/// The UTC offset of one zone, looked up once per stretch of time: an offset read at an instant
/// holds from that instant up to the zone's next transition.
///
/// Cheapest when asked in ascending order, as the slots of an availability answer are.
public struct ZoneOffsets {
    public let timeZone: TimeZone
    /// The offset in seconds, valid over [from, until).
    private var offset = 0
    private var from = Date.distantFuture
    private var until = Date.distantPast

    public init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    /// Seconds east of UTC at `instant`, as `timeZone.secondsFromGMT(for:)`.
    public mutating func seconds(at instant: Date) -> Int {
        if instant >= from, instant < until { return offset }
        offset = timeZone.secondsFromGMT(for: instant)
        from = instant
        until = timeZone.nextDaylightSavingTimeTransition(after: instant) ?? .distantFuture
        return offset
    }
}

extension CivilClock {
    /// Appends `iso8601(instant)` as UTF-8, with the offset from `offsets` (which must be of this zone).
    public static func appendISO8601(_ instant: Date, offsets: inout ZoneOffsets, to out: inout [UInt8]) {
        let offset = offsets.seconds(at: instant)
        let secs = Int((instant.timeIntervalSince1970 + Double(offset)).rounded(.down))
        let dayNumber = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let s = secs - dayNumber * 86400
        appendDate(CivilDate(dayNumber: dayNumber), to: &out)
        out.append(84) // T
        appendDigits(s / 3600, 2, to: &out); out.append(58)
        appendDigits((s % 3600) / 60, 2, to: &out); out.append(58)
        appendDigits(s % 60, 2, to: &out)
        let o = abs(offset)
        out.append(offset < 0 ? 45 : 43)
        appendDigits(o / 3600, 2, to: &out); out.append(58)
        appendDigits((o % 3600) / 60, 2, to: &out)
    }

    /// Appends `date.description` (`YYYY-MM-DD`) as UTF-8.
    public static func appendDate(_ date: CivilDate, to out: inout [UInt8]) {
        appendDigits(date.year, 4, to: &out); out.append(45)
        appendDigits(date.month, 2, to: &out); out.append(45)
        appendDigits(date.day, 2, to: &out)
    }

    /// Appends `value` (0 or more) in decimal, zero-padded to at least `width` digits.
    @inline(__always)
    static func appendDigits(_ value: Int, _ width: Int, to out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8) = (48, 48, 48, 48)
        var v = value
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n < 4, v > 0 || n < width {
                d[3 - n] = UInt8(48 + v % 10)
                v /= 10
                n += 1
            }
        }
        if v > 0 { // more than four digits: rare, not worth the speed
            out.append(contentsOf: Array(String(value).utf8))
            return
        }
        withUnsafeBytes(of: &digits) { d in out.append(contentsOf: d[(4 - n)...]) }
    }
}
