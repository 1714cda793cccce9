// Belgian public holidays and the Easter computus.
import Testing
@testable import LoketCore

@Suite struct HolidaysTests {
    @Test(arguments: [
        (1900, "1900-04-15"), (1961, "1961-04-02"), (2000, "2000-04-23"), (2008, "2008-03-23"),
        (2019, "2019-04-21"), (2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"),
        (2027, "2027-03-28"), (2038, "2038-04-25"), (2285, "2285-03-22"), (2400, "2400-04-16"),
    ])
    func easterSunday(year: Int, expected: String) {
        let easter = BelgianHolidays.easterSunday(year: year)
        #expect(easter == day(expected))
        #expect(easter.weekday == .sunday)
    }

    @Test func easterAlwaysASundayBetween22MarchAnd25April() {
        for year in 1583...3000 {
            let e = BelgianHolidays.easterSunday(year: year)
            #expect(e.weekday == .sunday)
            #expect(e >= CivilDate(year: year, month: 3, day: 22)! && e <= CivilDate(year: year, month: 4, day: 25)!)
        }
    }

    @Test(arguments: [
        (2026, ["2026-01-01", // Thursday
                "2026-04-06", // Easter Monday
                "2026-05-01", // Friday
                "2026-05-14", // Ascension, a Thursday
                "2026-05-25", // Whit Monday
                "2026-07-21", // Tuesday
                "2026-08-15", // Saturday
                "2026-11-01", // Sunday
                "2026-11-11", // Wednesday
                "2026-12-25"]), // Friday
        (2027, ["2027-01-01", "2027-03-29", // Easter 2027-03-28 is a Sunday
                "2027-05-01", "2027-05-06", "2027-05-17", "2027-07-21", "2027-08-15", "2027-11-01",
                "2027-11-11", "2027-12-25"]),
    ])
    func holidaysOfYear(year: Int, expected: [String]) {
        let list = BelgianHolidays.holidays(year: year)
        #expect(list.map(\.date.description) == expected)
        for h in list {
            #expect(BelgianHolidays.isHoliday(h.date))
            for language in Language.allCases { #expect(h.name.values[language]?.isEmpty == false) }
        }
        // Exactly these days, no others.
        var count = 0
        var d = CivilDate(year: year, month: 1, day: 1)!
        while d.year == year {
            if BelgianHolidays.isHoliday(d) { count += 1 }
            d = d.adding(days: 1)
        }
        #expect(count == 10)
    }

    @Test func names() {
        let easterMonday = BelgianHolidays.holidays(year: 2026)[1]
        #expect(easterMonday.name.resolve(.nl) == "Paasmaandag")
        #expect(easterMonday.name.resolve(.fr) == "Lundi de Pâques")
        #expect(easterMonday.name.resolve(.de) == "Ostermontag")
    }

    @Test(arguments: ["2026-12-01", // a Tuesday
                      "2026-04-05", // Easter Sunday itself is a Sunday, not a legal holiday on its own
                      "2026-05-24", // Whit Sunday
                      "2026-12-26", "1850-04-06"])
    func notHolidays(_ text: String) {
        #expect(!BelgianHolidays.isHoliday(day(text)))
    }

    @Test func outsideTheTable() {
        // 1818 and 2500 are outside the precomputed table: same answers from the computus.
        #expect(BelgianHolidays.isHoliday(day("1818-03-23"))) // Easter 1818 was 22 March
        #expect(BelgianHolidays.isHoliday(BelgianHolidays.easterSunday(year: 2500).adding(days: 50)))
    }
}
