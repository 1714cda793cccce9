// The location the kiosk stands in, as `GET /api/v1/locations/{id}` answers it.

/// A location's name and id, in the language it was asked in.
public struct LocationInfo: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var address: String?
    public var timeZone: String?

    public init(id: String, name: String, address: String? = nil, timeZone: String? = nil) {
        self.id = id
        self.name = name
        self.address = address
        self.timeZone = timeZone
    }
}
