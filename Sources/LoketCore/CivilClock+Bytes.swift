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
        append2(s / 3600, to: &out); out.append(58)
        append2((s % 3600) / 60, to: &out); out.append(58)
        append2(s % 60, to: &out)
        let o = abs(offset)
        out.append(offset < 0 ? 45 : 43)
        append2(o / 3600, to: &out); out.append(58)
        append2((o % 3600) / 60, to: &out)
    }

    /// Appends `date.description` (`YYYY-MM-DD`) as UTF-8.
    public static func appendDate(_ date: CivilDate, to out: inout [UInt8]) {
        let y = date.year
        guard (0...9999).contains(y) else { return out.append(contentsOf: Array(date.description.utf8)) }
        out.append(UInt8(48 + y / 1000)); out.append(UInt8(48 + y / 100 % 10))
        append2(y % 100, to: &out); out.append(45)
        append2(date.month, to: &out); out.append(45)
        append2(date.day, to: &out)
    }

    /// Appends 0...99 as two digits, byte by byte (one `append(contentsOf:)` of a slice costs more).
    @inline(__always)
    static func append2(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(48 + value / 10))
        out.append(UInt8(48 + value % 10))
    }
}
