// A ticket's answer written by hand: every kiosk ticket, every ticket page poll and every clerk's
// action answers with one, and Foundation's encoder was the largest single cost of issuing a ticket.
// The bytes equal `JSONOut.encoder`'s (HandWrittenJSONTests compares them for random tickets).
import LoketCore
import LoketHTTP

extension TicketDTO {
    /// The JSON of this ticket, keys in `JSONOut.encoder`'s sorted order; nil when it carries an
    /// appointment (only clerks see those; they keep the `Encodable` path).
    func jsonBytes() -> [UInt8]? {
        guard appointment == nil else { return nil }
        var w = JSONObjectWriter(capacity: 512)
        w.field("calledAt", calledAt)
        w.field("closeReason", closeReason)
        w.field("counter", counter)
        w.field("counterName", counterName)
        w.field("countersOpen", countersOpen)
        w.field("estimatedWaitMinutes", estimatedWaitMinutes)
        w.field("eventTag", eventTag)
        w.field("id", id)
        w.field("issuedAt", issuedAt)
        w.field("location", location)
        w.field("number", number)
        w.field("opensAt", opensAt)
        w.field("origin", origin)
        w.field("outcome", outcome)
        w.field("position", position)
        w.field("priority", priority)
        w.field("recalls", recalls)
        w.field("service", service)
        w.field("serviceName", serviceName)
        w.field("status", status)
        w.field("statusUrl", statusUrl)
        w.field("waitingSince", waitingSince)
        return w.finished()
    }
}

extension JSONOut {
    /// A ticket's answer, written by `TicketDTO.jsonBytes()` when it can be.
    static func response(ticket: TicketDTO, status: Int = 200, headers: [(String, String)] = []) throws -> Response {
        if let bytes = ticket.jsonBytes() { return response(bytes: bytes, status: status, headers: headers) }
        return try response(ticket, status: status, headers: headers)
    }
}
