// Lays the open services out as numbered entries under their category headings, in pages that fit
// the rows available. Numbers are global (1...n in list order) so a number typed on any page means
// the same service. A page holds one or more columns of `rows` rows, filled down the first column
// and then the next, so the numbers still read as one sequence. A column never ends with a heading,
// and a category that continues in the next column or on the next page repeats its heading there.
//
// Each category gets a letter key (shown next to its heading) to jump to its first page: the first
// letter of its name folded to ASCII ("Étrangers" → E), or the next letter of the name when an
// earlier category took that one, or else the first free letter A-Z; categories past 26 get none.

/// Splits a grouped, numbered service list into pages of columns.
public struct ServicePager: Equatable, Sendable {
    /// One row of a column.
    public enum Row: Equatable, Sendable {
        case heading(String)
        /// Number on the list (1-based) and the service's name.
        case entry(Int, String)
    }

    /// A category of the list: its heading, jump key and first entry.
    public struct Category: Equatable, Sendable {
        /// The heading, as ``ServiceEntry/groupName``.
        public var name: String
        /// An uppercase ASCII letter, unique in the list.
        public var key: Character
        /// Number of the category's first service on the list.
        public var first: Int
    }

    /// The pages, each a list of at most `columns` columns of rows; at least one page (empty when
    /// there are no services).
    public let pages: [[[Row]]]
    /// The categories that have a key, in list order.
    public let categories: [Category]

    /// Pages of `columns` columns of at most `rows` rows (at least 2: a heading and an entry) for
    /// `services`, in order.
    public init(services: [ServiceEntry], rows: Int, columns: Int = 1) {
        let rows = max(2, rows)
        var chunks: [[Row]] = []
        var chunk: [Row] = []
        var currentGroup: String?
        for (index, service) in services.enumerated() {
            let group = service.groupName
            let needsHeading = chunk.isEmpty || group != currentGroup
            let needed = needsHeading ? 2 : 1
            if chunk.count + needed > rows {
                chunks.append(chunk)
                chunk = []
            }
            if chunk.isEmpty || group != currentGroup {
                chunk.append(.heading(group))
                currentGroup = group
            }
            chunk.append(.entry(index + 1, service.name))
        }
        if !chunk.isEmpty { chunks.append(chunk) }
        let perPage = max(1, columns)
        var pages = stride(from: 0, to: chunks.count, by: perPage).map { Array(chunks[$0..<min($0 + perPage, chunks.count)]) }
        if pages.isEmpty { pages = [[[]]] }
        self.pages = pages
        self.categories = Self.keyed(services)
    }

    /// Number of pages, at least 1.
    public var pageCount: Int { pages.count }

    /// The rows of page `index`, column after column.
    public func rows(onPage index: Int) -> [Row] {
        pages[index].flatMap { $0 }
    }

    /// The page that shows entry `number`, or nil.
    public func page(of number: Int) -> Int? {
        pages.firstIndex { $0.contains { $0.contains { if case let .entry(n, _) = $0 { return n == number } else { return false } } } }
    }

    /// The key shown next to the heading `name`, or nil.
    public func key(of name: String) -> Character? {
        categories.first { $0.name == name }?.key
    }

    /// The page where the category with `key` (either case) starts, or nil.
    public func page(ofCategory key: Character) -> Int? {
        let upper = Character(key.uppercased())
        return categories.first { $0.key == upper }.flatMap { page(of: $0.first) }
    }

    private static func keyed(_ services: [ServiceEntry]) -> [Category] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var used = Set<Character>()
        var out: [Category] = []
        for (index, service) in services.enumerated() {
            let name = service.groupName
            guard !name.isEmpty, !out.contains(where: { $0.name == name }) else { continue }
            let letters = PlainText.ascii(name).uppercased().filter { $0.isASCII && $0.isLetter }
            guard let key = (Array(letters) + alphabet).first(where: { !used.contains($0) }) else { continue }
            used.insert(key)
            out.append(Category(name: name, key: key, first: index + 1))
        }
        return out
    }
}
