// A queue ticket as `POST /api/v1/tickets` and `POST /api/v1/checkins` answer it (201).

/// A ticket the server issued; the kiosk shows and prints only these.
public struct IssuedTicket: Codable, Equatable, Sendable {
    /// Unguessable id; the status page is `/t/{id}`.
    public var id: String
    /// Display number, e.g. `A012`.
    public var number: String
    /// Service id.
    public var service: String?
    /// Service name (the server's language).
    public var serviceName: String?
    /// Location id.
    public var location: String?
    /// `walkin` or `appointment`.
    public var origin: String?
    /// `waiting` for a fresh ticket.
    public var status: String?
    /// 1 for the next one to be called; absent when no estimate can be made.
    public var position: Int?
    /// Minutes until it is likely called; absent without an estimate.
    public var estimatedWaitMinutes: Int?
    /// False when no counter serving it is open yet (the estimate then counts the planned counters).
    public var countersOpen: Bool?
    /// With `countersOpen` false: when today's opening is still ahead (ISO 8601 with offset).
    public var opensAt: String?
    /// ISO 8601 with offset, in the location's time zone.
    public var issuedAt: String?
    /// Path of the status page, `/t/{id}`.
    public var statusUrl: String?

    /// A ticket from its fields (tests and previews; the API's come decoded).
    public init(id: String, number: String, service: String? = nil, serviceName: String? = nil, location: String? = nil,
                origin: String? = nil, status: String? = nil, position: Int? = nil, estimatedWaitMinutes: Int? = nil,
                issuedAt: String? = nil, statusUrl: String? = nil, countersOpen: Bool? = nil, opensAt: String? = nil) {
        self.id = id
        self.number = number
        self.service = service
        self.serviceName = serviceName
        self.location = location
        self.origin = origin
        self.status = status
        self.position = position
        self.estimatedWaitMinutes = estimatedWaitMinutes
        self.issuedAt = issuedAt
        self.statusUrl = statusUrl
        self.countersOpen = countersOpen
        self.opensAt = opensAt
    }

    /// Whether this is a ticket worth showing: a number and an id that are plain text.
    public var isComplete: Bool {
        !id.isEmpty && !number.isEmpty && id.count <= 200 && number.count <= 16
            && PlainText.printable(number) == number && PlainText.printable(id) == id
    }

    /// The absolute status link: `server` + the ticket's `statusUrl` (or `/t/{id}`).
    public func statusLink(server: String) -> String {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        let path = statusUrl.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/t/\(id)"
        if let statusUrl, statusUrl.hasPrefix("http://") || statusUrl.hasPrefix("https://") { return statusUrl }
        return base + path
    }
}
