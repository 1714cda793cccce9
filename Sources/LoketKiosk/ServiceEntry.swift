// One service of `GET /api/v1/services?location=&channel=walkin`: what the kiosk lists.

/// A service as the catalogue API describes it; the kiosk lists those with ``walkInOpenNow``.
public struct ServiceEntry: Codable, Equatable, Sendable {
    /// Slug, e.g. `eid-aanvraag`; what a ticket request names.
    public var id: String
    /// Name in the asked language.
    public var name: String
    /// Category id, e.g. `burgerzaken`.
    public var category: String?
    /// Category name in the asked language; the list is grouped by it.
    public var categoryName: String?
    /// Whether a walk-in ticket can be had for it here right now.
    public var walkInOpenNow: Bool?

    /// A service from its fields.
    public init(id: String, name: String, category: String? = nil, categoryName: String? = nil, walkInOpenNow: Bool? = true) {
        self.id = id
        self.name = name
        self.category = category
        self.categoryName = categoryName
        self.walkInOpenNow = walkInOpenNow
    }

    /// The heading the service is grouped under.
    public var groupName: String { categoryName ?? category ?? "" }
}
