// Paging the grouped service list: global numbers, no orphan headings, headings repeated.
import Testing
@testable import LoketKiosk

@Suite struct ServicePagerTests {
    @Test func everythingOnOnePageWhenItFits() {
        let pager = ServicePager(services: TestData.services(4), rows: 14)
        #expect(pager.pageCount == 1)
        #expect(pager.pages[0] == [.heading("Burgerzaken"), .entry(1, "Dienst nummer 1"), .entry(2, "Dienst nummer 2"),
                                   .heading("Sociale dienst"), .entry(3, "Dienst nummer 3"), .entry(4, "Dienst nummer 4")])
    }

    @Test func numbersAreGlobalAndEveryServiceAppearsOnce() {
        let services = TestData.services(40)
        let pager = ServicePager(services: services, rows: 14)
        let numbers = pager.pages.flatMap { $0 }.compactMap { row -> Int? in
            if case let .entry(n, _) = row { return n } else { return nil }
        }
        #expect(numbers == Array(1...40))
        #expect(pager.pages.allSatisfy { $0.count <= 14 })
        #expect(pager.page(of: 1) == 0)
        #expect(pager.page(of: 40) == pager.pageCount - 1)
        #expect(pager.page(of: 41) == nil)
    }

    @Test func pagesStartWithAHeadingAndNeverEndWithOne() {
        for rows in 2...20 {
            let pager = ServicePager(services: TestData.services(33), rows: rows)
            for page in pager.pages {
                if case .heading = page.first {} else { Issue.record("page without heading at rows=\(rows)") }
                if case .heading = page.last { Issue.record("page ends with a heading at rows=\(rows)") }
            }
        }
    }

    @Test func emptyListIsOneEmptyPage() {
        let pager = ServicePager(services: [], rows: 14)
        #expect(pager.pageCount == 1)
        #expect(pager.pages[0].isEmpty)
    }
}
