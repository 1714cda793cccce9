// What goes on a paper ticket, in the kiosk's language, independent of how it is printed:
// ``ESCPOSEncoder`` turns it into printer bytes, ``ScreenRenderer`` shows the same facts on screen.
import LoketCore

/// The content of one printed ticket.
public struct TicketReceipt: Equatable, Sendable {
    /// "Uw volgnummer", or the check-in variant.
    public var heading: String
    /// The display number, e.g. `A012`, printed large.
    public var number: String
    /// Service, position, wait, date and time, location: one fact per line, in that order.
    public var lines: [String]
    /// Printed above the QR code.
    public var qrLabel: String
    /// The status link, also the QR code's content.
    public var link: String

    /// A receipt from its parts.
    public init(heading: String, number: String, lines: [String], qrLabel: String, link: String) {
        self.heading = heading
        self.number = number
        self.lines = lines
        self.qrLabel = qrLabel
        self.link = link
    }

    /// The receipt for `ticket`; `serviceName` overrides the server's name (to match the kiosk's language).
    public init(ticket: IssuedTicket, serviceName: String?, locationName: String, language: Language, server: String, checkIn: Bool) {
        let text = KioskText(language)
        var lines: [String] = []
        let service = PlainText.printable(serviceName ?? ticket.serviceName ?? ticket.service ?? "")
        if !service.isEmpty { lines.append("\(text.serviceLabel): \(service)") }
        if let position = ticket.position, position > 0 { lines.append(text.position(position)) }
        if let wait = text.waitLine(ticket) { lines.append(wait) }
        if let issued = ticket.issuedAt.flatMap(ServerTime.init) { lines.append(issued.dateTimeText) }
        let location = PlainText.printable(locationName)
        if !location.isEmpty { lines.append(location) }
        self.init(heading: checkIn ? text.checkedInHeading : text.ticketHeading, number: PlainText.printable(ticket.number),
                  lines: lines, qrLabel: text.scanToFollow, link: ticket.statusLink(server: server))
    }

    /// The ticket as plain text lines, for a screen or a log when there is no printer.
    public var plainLines: [String] {
        [heading, number] + lines + [link]
    }
}
