// What the start screen needs from the server, fetched together: the location and its services.

/// The location and its walk-in services, in one language.
public struct CatalogueSnapshot: Equatable, Sendable {
    /// The kiosk's location.
    public var location: LocationInfo
    /// All walk-in services of the location, open now or not, in the server's order.
    public var services: [ServiceEntry]

    /// Both parts of one load.
    public init(location: LocationInfo, services: [ServiceEntry]) {
        self.location = location
        self.services = services
    }
}
