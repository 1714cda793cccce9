// The location the kiosk stands in, as `GET /api/v1/locations/{id}` answers it.

/// A location's name and id, in the language it was asked in.
public struct LocationInfo: Codable, Equatable, Sendable {
    /// Slug, e.g. `stadhuis`.
    public var id: String
    /// Name in the asked language, shown in the title bar and on the ticket.
    public var name: String
    /// Street address, one line.
    public var address: String?
    /// IANA zone, e.g. `Europe/Brussels`.
    public var timeZone: String?

    /// A location from its fields.
    public init(id: String, name: String, address: String? = nil, timeZone: String? = nil) {
        self.id = id
        self.name = name
        self.address = address
        self.timeZone = timeZone
    }
}
