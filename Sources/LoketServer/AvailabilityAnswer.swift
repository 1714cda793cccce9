// The availability answer written straight into bytes: the same JSON as encoding
// `AvailabilityDTO` with `JSONOut.encoder` (keys sorted) and appending the slots, without the
// encoder's boxing and without a String per instant (profiles of the route showed the encoder,
// `CivilDate.description` and per-slot strings and offset look-ups at about 40 % of its time).
import Foundation
import LoketCore

enum AvailabilityAnswer {
    /// `{"durationMinutes":..,"from":..,"items":[..],"location":..,"to":..,"slots":[{"start":..,"end":..,"free":..},..]}`
    static func encode(location: String, visit: [VisitItem], range: ClosedRange<CivilDate>, slots: [Slot],
                       timeZone: TimeZone) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + visit.count * 48 + slots.count * 84) // a slot takes 81 bytes
        append("{\"durationMinutes\":", to: &out)
        append(SlotEngine.visitMinutes(visit), to: &out)
        append(",\"from\":\"", to: &out)
        CivilClock.appendDate(range.lowerBound, to: &out)
        append("\",\"items\":[", to: &out)
        for (i, item) in visit.enumerated() {
            append(i == 0 ? "{\"persons\":" : ",{\"persons\":", to: &out)
            append(item.persons, to: &out)
            append(",\"service\":", to: &out)
            JSONObjectWriter.appendString(item.service.id, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        append("],\"location\":", to: &out)
        JSONObjectWriter.appendString(location, to: &out)
        append(",\"to\":\"", to: &out)
        CivilClock.appendDate(range.upperBound, to: &out)
        append("\",\"slots\":[", to: &out)
        var starts = ZoneOffsets(timeZone), ends = ZoneOffsets(timeZone)
        for (i, slot) in slots.enumerated() {
            append(i == 0 ? "{\"start\":\"" : ",{\"start\":\"", to: &out)
            CivilClock.appendISO8601(slot.start, offsets: &starts, to: &out)
            append("\",\"end\":\"", to: &out)
            CivilClock.appendISO8601(slot.end, offsets: &ends, to: &out)
            append("\",\"free\":", to: &out)
            append(slot.free, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        append("]}", to: &out)
        return out
    }

    @inline(__always) private static func append(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func append(_ n: Int, to out: inout [UInt8]) {
        if (0..<10).contains(n) { out.append(UInt8(48 + n)) } else { out.append(contentsOf: String(n).utf8) }
    }
}
