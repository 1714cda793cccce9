// Paging the grouped service list: global numbers, no orphan headings, headings repeated.
import Testing
@testable import LoketKiosk

@Suite struct ServicePagerTests {
    @Test func everythingOnOnePageWhenItFits() {
        let pager = ServicePager(services: TestData.services(4), rows: 14)
        #expect(pager.pageCount == 1)
        #expect(pager.pages[0] == [[.heading("Burgerzaken"), .entry(1, "Dienst nummer 1"), .entry(2, "Dienst nummer 2"),
                                    .heading("Sociale dienst"), .entry(3, "Dienst nummer 3"), .entry(4, "Dienst nummer 4")]])
    }

    @Test func numbersAreGlobalAndEveryServiceAppearsOnce() {
        let services = TestData.services(40)
        let pager = ServicePager(services: services, rows: 14)
        let numbers = pager.pages.flatMap { $0 }.flatMap { $0 }.compactMap { row -> Int? in
            if case let .entry(n, _) = row { return n } else { return nil }
        }
        #expect(numbers == Array(1...40))
        #expect(pager.pages.allSatisfy { $0.count == 1 && $0[0].count <= 14 })
        #expect(pager.page(of: 1) == 0)
        #expect(pager.page(of: 40) == pager.pageCount - 1)
        #expect(pager.page(of: 41) == nil)
    }

    @Test func pagesStartWithAHeadingAndNeverEndWithOne() {
        for rows in 2...20 {
            for columns in 1...2 {
                let pager = ServicePager(services: TestData.townHall(33), rows: rows, columns: columns)
                for column in pager.pages.flatMap({ $0 }) {
                    if case .heading = column.first {} else { Issue.record("column without heading at rows=\(rows)") }
                    if case .heading = column.last { Issue.record("column ends with a heading at rows=\(rows)") }
                }
            }
        }
    }

    @Test func emptyListIsOneEmptyPage() {
        let pager = ServicePager(services: [], rows: 14)
        #expect(pager.pageCount == 1)
        #expect(pager.pages[0] == [[]])
    }

    // MARK: columns and pages

    /// (services, rows per column, columns, pages). 150 services in two categories of 75 at 80x24
    /// (14 list rows): each category fills 5 columns of a heading and 13 entries and a sixth,
    /// so 12 columns, 12 pages in one column and 6 in two. At 120x30 (20 rows) 4 columns each: 8.
    @Test(arguments: [
        (150, 14, 1, 12), (150, 14, 2, 6), (150, 20, 1, 8), (150, 20, 2, 4), (153, 20, 2, 5), (4, 14, 2, 1), (0, 14, 2, 1),
    ])
    func pageCounts(services: Int, rows: Int, columns: Int, pages: Int) {
        let pager = ServicePager(services: TestData.services(services), rows: rows, columns: columns)
        #expect(pager.pageCount == pages)
        #expect(pager.pages.allSatisfy { $0.count <= columns && $0.allSatisfy { $0.count <= rows } })
    }

    @Test func twoColumnsReadDownTheFirstThenTheSecond() {
        let pager = ServicePager(services: TestData.services(150), rows: 20, columns: 2)
        let first = pager.pages[0]
        #expect(first.count == 2)
        #expect(first[0].first == .heading("Burgerzaken") && first[0][1] == .entry(1, "Dienst nummer 1"))
        #expect(first[0].last == .entry(19, "Dienst nummer 19"))
        #expect(first[1].first == .heading("Burgerzaken") && first[1][1] == .entry(20, "Dienst nummer 20"))
        #expect(pager.rows(onPage: 1).compactMap { if case let .entry(n, _) = $0 { n } else { nil } } == Array(39...75))
        #expect(pager.page(of: 38) == 0 && pager.page(of: 39) == 1)
    }

    @Test func categoryKeysAreFirstLettersAndUnique() {
        let pager = ServicePager(services: TestData.townHall(), rows: 14)
        #expect(pager.categories.map(\.key) == ["B", "O", "S", "F", "N", "K"])
        #expect(pager.categories.map(\.first) == [1, 26, 51, 76, 101, 126])
        #expect(pager.key(of: "Onderwijs") == "N")
        // Accents fold ("É" → E); an empty category name has no key; names after 26 categories neither.
        let odd = [ServiceEntry(id: "a", name: "a", categoryName: "Étrangers"), ServiceEntry(id: "b", name: "b"),
                   ServiceEntry(id: "c", name: "c", categoryName: "Eau")]
        #expect(ServicePager(services: odd, rows: 14).categories.map(\.key) == ["E", "A"])
        let many = (0..<30).map { ServiceEntry(id: "x\($0)", name: "x", categoryName: "Groep \($0)") }
        let keys = ServicePager(services: many, rows: 14).categories.map(\.key)
        #expect(keys.count == 26 && Set(keys).count == 26)
    }

    /// The townHall list at 80x24 takes two columns per category; at 120x30 (hand-counted) the
    /// categories start in columns 0, 1, 2, 4, 5 and 6.
    @Test(arguments: [
        (14, 1, "b", 0), (14, 1, "O", 2), (14, 1, "S", 4), (14, 1, "F", 6), (14, 1, "N", 8), (14, 1, "K", 10),
        (20, 2, "B", 0), (20, 2, "O", 0), (20, 2, "S", 1), (20, 2, "F", 2), (20, 2, "N", 2), (20, 2, "K", 3),
    ] as [(Int, Int, Character, Int)])
    func categoryJumpPage(rows: Int, columns: Int, key: Character, page: Int) {
        let pager = ServicePager(services: TestData.townHall(), rows: rows, columns: columns)
        #expect(pager.page(ofCategory: key) == page)
    }

    @Test func unknownKeyHasNoPage() {
        let pager = ServicePager(services: TestData.townHall(), rows: 14)
        #expect(pager.page(ofCategory: "Z") == nil)
    }
}
