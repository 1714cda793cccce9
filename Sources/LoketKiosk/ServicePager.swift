// Lays the open services out as numbered entries under their category headings, in pages that fit
// the rows available. Numbers are global (1...n in list order) so a number typed on any page means
// the same service. A page never ends with a heading, and a category that continues on the next
// page repeats its heading there.

/// Splits a grouped, numbered service list into pages.
public struct ServicePager: Equatable, Sendable {
    /// One row of a page.
    public enum Row: Equatable, Sendable {
        case heading(String)
        /// Number on the list (1-based) and the service's name.
        case entry(Int, String)
    }

    /// The pages; at least one (empty when there are no services).
    public let pages: [[Row]]

    /// Pages of at most `rows` rows (at least 2: a heading and an entry) for `services`, in order.
    public init(services: [ServiceEntry], rows: Int) {
        let rows = max(2, rows)
        var pages: [[Row]] = []
        var page: [Row] = []
        var currentGroup: String?
        for (index, service) in services.enumerated() {
            let group = service.groupName
            let needsHeading = page.isEmpty || group != currentGroup
            let needed = needsHeading ? 2 : 1
            if page.count + needed > rows {
                pages.append(page)
                page = []
            }
            if page.isEmpty || group != currentGroup {
                page.append(.heading(group))
                currentGroup = group
            }
            page.append(.entry(index + 1, service.name))
        }
        if !page.isEmpty || pages.isEmpty { pages.append(page) }
        self.pages = pages
    }

    /// Number of pages, at least 1.
    public var pageCount: Int { pages.count }

    /// The page that shows entry `number`, or nil.
    public func page(of number: Int) -> Int? {
        pages.firstIndex { $0.contains { if case let .entry(n, _) = $0 { return n == number } else { return false } } }
    }
}
