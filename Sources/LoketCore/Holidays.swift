// Belgian legal public holidays ("wettelijke feestdagen"), on which every location is closed.
//
// Seven fall on fixed dates; three follow Easter Sunday (Easter Monday, Ascension, Whit Monday),
// which comes from the Gregorian computus. Easter is kept as a day number per year in a table
// built once (thread-safe lazy static) for the years a municipality will ever book; years outside
// it are computed on the fly, which costs a few dozen integer operations.

/// The ten Belgian legal public holidays.
public enum BelgianHolidays {
    /// Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian computus).
    public static func easterSunday(year: Int) -> CivilDate {
        let a = year % 19                      // place in the 19-year Metonic cycle
        let b = year / 100                     // century
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3                // lunar correction
        let h = (19 * a + b - d - g + 15) % 30 // epact-based: days from 21 March to the paschal full moon
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7 // days from the full moon to the next Sunday
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)!
    }

    /// The ten legal holidays of `year`, in date order, with their names in nl/fr/en/de.
    public static func holidays(year: Int) -> [(date: CivilDate, name: LocalizedText)] {
        let easter = easterDayNumber(year: year)
        func fixed(_ month: Int, _ day: Int) -> CivilDate { CivilDate(year: year, month: month, day: day)! }
        let list: [(CivilDate, LocalizedText)] = [
            (fixed(1, 1), names(nl: "Nieuwjaar", fr: "Jour de l'An", en: "New Year's Day", de: "Neujahr")),
            (CivilDate(dayNumber: easter + 1),
             names(nl: "Paasmaandag", fr: "Lundi de Pâques", en: "Easter Monday", de: "Ostermontag")),
            (fixed(5, 1), names(nl: "Dag van de Arbeid", fr: "Fête du Travail", en: "Labour Day", de: "Tag der Arbeit")),
            (CivilDate(dayNumber: easter + 39),
             names(nl: "O.L.H. Hemelvaart", fr: "Ascension", en: "Ascension Day", de: "Christi Himmelfahrt")),
            (CivilDate(dayNumber: easter + 50),
             names(nl: "Pinkstermaandag", fr: "Lundi de Pentecôte", en: "Whit Monday", de: "Pfingstmontag")),
            (fixed(7, 21), names(nl: "Nationale feestdag", fr: "Fête nationale", en: "Belgian National Day",
                                 de: "Nationalfeiertag")),
            (fixed(8, 15), names(nl: "O.L.V. Hemelvaart", fr: "Assomption", en: "Assumption Day", de: "Mariä Himmelfahrt")),
            (fixed(11, 1), names(nl: "Allerheiligen", fr: "Toussaint", en: "All Saints' Day", de: "Allerheiligen")),
            (fixed(11, 11), names(nl: "Wapenstilstand", fr: "Armistice", en: "Armistice Day", de: "Waffenstillstand")),
            (fixed(12, 25), names(nl: "Kerstmis", fr: "Noël", en: "Christmas Day", de: "Weihnachten")),
        ]
        return list.sorted { $0.0 < $1.0 }.map { (date: $0.0, name: $0.1) }
    }

    /// Whether `date` is one of the ten legal holidays.
    public static func isHoliday(_ date: CivilDate) -> Bool {
        switch (date.month, date.day) {
        case (1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25):
            return true
        case (3, _), (4, _), (5, _), (6, _):
            // Easter Monday is 23 March ... 26 April; Whit Monday at the latest 14 June.
            let offset = date.dayNumber - easterDayNumber(year: date.year)
            return offset == 1 || offset == 39 || offset == 50
        default:
            return false
        }
    }

    // MARK: - Easter cache

    /// First year of the precomputed table.
    private static let firstCachedYear = 1900
    /// Easter Sunday's day number for 1900...2299, computed once on first use (Swift statics are
    /// initialised exactly once, thread-safely), then read without locks.
    private static let easterTable: [Int32] = (firstCachedYear..<(firstCachedYear + 400)).map {
        Int32(easterSunday(year: $0).dayNumber)
    }

    /// Easter Sunday of `year` as a day number, from the table when the year is in it.
    static func easterDayNumber(year: Int) -> Int {
        let i = year - firstCachedYear
        if i >= 0, i < easterTable.count { return Int(easterTable[i]) }
        return easterSunday(year: year).dayNumber
    }

    private static func names(nl: String, fr: String, en: String, de: String) -> LocalizedText {
        LocalizedText([.nl: nl, .fr: fr, .en: en, .de: de])
    }
}
