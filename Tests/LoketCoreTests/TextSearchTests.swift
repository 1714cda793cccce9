// Folding and catalogue search: case and diacritics ignored, ranking, filters.
import Testing
@testable import LoketCore

@Suite struct TextSearchTests {
    @Test(arguments: [
        ("ÉTAT", "etat"),
        ("État civil", "etat civil"),
        ("Straße", "strasse"),
        ("  Crème   brûlée\t", "creme brulee"),
        ("ÇA VA", "ca va"),
        ("Noël", "noel"),
        ("Ĳzer", "ijzer"),
        ("Œuvre", "oeuvre"),
        ("Hello   World ", "hello world"),
        ("Kids-ID", "kids-id"),
        ("", ""),
        ("   ", ""),
        ("Führerschein", "fuhrerschein"),
    ])
    func fold(input: String, expected: String) {
        #expect(TextFolding.fold(input) == expected)
    }

    static let catalogue: Catalogue = {
        let categories = [
            Category(id: "burgerzaken", name: LocalizedText([.nl: "Burgerzaken", .fr: "Population", .en: "Civil affairs",
                                                             .de: "Bürgerangelegenheiten"])),
            Category(id: "omgeving", name: LocalizedText([.nl: "Omgeving", .fr: "Urbanisme", .en: "Environment", .de: "Umwelt"])),
        ]
        let services = [
            service("reispas", names: [.nl: "Reispas", .fr: "Passeport", .en: "Passport", .de: "Reisepass"],
                    keywords: ["paspoort"]),
            service("eid", names: [.nl: "Identiteitskaart (eID)", .fr: "Carte d'identité (eID)", .en: "Identity card (eID)",
                                   .de: "Personalausweis (eID)"], keywords: ["identiteitsbewijs"]),
            service("kids-id", names: [.nl: "Kids-ID", .fr: "Kids-ID"]),
            service("etat", names: [.nl: "Uittreksel burgerlijke stand", .fr: "Extrait d'état civil", .en: "Civil status extract"]),
            service("woonst", names: [.nl: "Attest van woonst", .fr: "Certificat de résidence", .en: "Residence certificate"]),
            service("bouw", channels: [.appointment], category: "omgeving", locations: ["district"],
                    names: [.nl: "Omgevingsvergunning", .fr: "Permis d'environnement", .en: "Environmental permit"]),
        ]
        return Catalogue(settings: Settings(), categories: categories, locations: [], services: services, counters: [])
    }()
    let index = ServiceSearchIndex(catalogue: catalogue)

    func ids(_ query: String, _ language: Language = .nl, location: String? = nil, channel: Channel? = nil) -> [String] {
        index.search(query, language: language, location: location, channel: channel).map(\.id)
    }

    @Test(arguments: [
        ("identiteit", "eid"),
        ("IDENTITEITSKAART", "eid"),
        ("identité", "eid"),
        ("identite", "eid"),
        ("paspoort", "reispas"), // a keyword
        ("passeport", "reispas"),
        ("etat", "etat"),
        ("ÉTAT civil", "etat"),
        ("kaart eid", "eid"), // every word somewhere
        ("vergunning", "bouw"),
    ])
    func findsFirst(query: String, expected: String) {
        #expect(ids(query).first == expected)
    }

    @Test func rankingOrder() {
        // "id": name starts with it (eID card), a word starts with it (Kids-ID); short queries skip
        // matches inside words, so résidence is not listed; a longer one finds it there.
        #expect(ids("id") == ["eid", "kids-id"])
        #expect(ids("siden") == ["woonst"])
        // Category names come after names and keywords: "burger" matches a name and a category.
        #expect(ids("burger").first == "etat")
        #expect(Set(ids("burger")) == ["etat", "eid", "kids-id", "reispas", "woonst"])
    }

    @Test func tiersInOrder() {
        let categories = [Category(id: "c", name: LocalizedText([.nl: "Diversen"])),
                          Category(id: "t", name: LocalizedText([.nl: "Taxatiedienst"]))]
        let services = [
            service("category", category: "t", names: [.nl: "Aanvraag"]),
            service("keyword", category: "c", names: [.nl: "Belasting"], keywords: ["taxatie"]),
            service("inside", category: "c", names: [.nl: "Syntax hulp"]),
            service("word", category: "c", names: [.nl: "Lokale taxen"]),
            service("start2", category: "c", names: [.nl: "Taxes locales"]),
            service("start1", category: "c", names: [.nl: "Tax office"]),
            service("none", category: "c", names: [.nl: "Andere"]),
        ]
        let index = ServiceSearchIndex(catalogue: Catalogue(settings: Settings(), categories: categories, locations: [],
                                                            services: services, counters: []))
        #expect(index.search("TAXE", language: .nl).map(\.id) == ["start2", "word"])
        // Three letters or fewer: word starts only, so "Syntax" does not count.
        #expect(index.search("TAX", language: .nl).map(\.id) == ["start1", "start2", "word", "keyword", "category"])
        #expect(index.search("ntax", language: .nl).map(\.id) == ["inside"])
    }

    @Test func shortQueriesMatchWordStartsOnly() {
        let services = [
            service("arbeid", names: [.nl: "Arbeidskaart", .de: "Arbeitserlaubnis"]),
            service("eid", names: [.nl: "Identiteitskaart (eID)", .de: "Bescheid über den eID"]),
        ]
        let index = ServiceSearchIndex(catalogue: Catalogue(settings: Settings(), categories: [], locations: [],
                                                            services: services, counters: []))
        #expect(index.search("eid", language: .nl).map(\.id) == ["eid"])
        #expect(index.search("beid", language: .nl).map(\.id) == ["arbeid"])
    }

    @Test func tiesByNameInTheAskedLanguage() {
        // A blank query lists by category, then by the name in the asked language.
        #expect(ids("", .nl).prefix(5) == ["woonst", "eid", "kids-id", "reispas", "etat"]) // burgerzaken first
        #expect(ids("", .en).prefix(5) == ["etat", "eid", "kids-id", "reispas", "woonst"])
        #expect(ids("", .nl).last == "bouw") // the second category
    }

    @Test func filters() {
        #expect(ids("", location: "district") == ["bouw"])
        #expect(ids("permis", location: "stadhuis").isEmpty)
        #expect(!ids("", channel: .walkin).contains("bouw"))
        #expect(ids("", channel: .appointment).count == 6)
    }

    @Test(arguments: ["xyzzy", "rijbewys", "eid kaart paspoort"])
    func noMatch(query: String) {
        #expect(ids(query).isEmpty)
    }

    @Test func scalesToManyServices() {
        let services = (0..<800).map { i in
            service("s\(i)", names: [.nl: "Dienst nummer \(i)", .fr: "Service numéro \(i)"], keywords: ["k\(i)"])
        }
        let index = ServiceSearchIndex(catalogue: Catalogue(settings: Settings(), categories: [], locations: [],
                                                            services: services, counters: []))
        // The phrase first (by name), then services that have both words somewhere.
        #expect(index.search("numero 79", language: .nl).map(\.id) == ["s79", "s790", "s791", "s792", "s793", "s794",
                                                                      "s795", "s796", "s797", "s798", "s799",
                                                                      "s179", "s279", "s379", "s479", "s579", "s679", "s779"])
        #expect(index.search("", language: .nl).count == 800)
    }
}
