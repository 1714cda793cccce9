// A synthetic municipality, for tests and benchmarks that need a catalogue of realistic size.
//
// Service names are built from word parts per language: a subject ("Identiteitskaart"),
// a procedure ("aanvraag") and an optional qualifier ("voor minderjarigen"). Each subject
// belongs to one of 8 categories. All combinations are shuffled by a seeded SplitMix64
// generator and the first `services` taken, so names and ids are unique and the output
// depends only on the arguments.
import Foundation
import LoketCore

/// Builds deterministic synthetic catalogues.
public enum CatalogueGenerator {
    /// A synthetic municipality: `services` services spread over 8 categories, with unique
    /// names in nl/fr/en/de, durations of 5-60 minutes, channels and prefixes; `locations`
    /// locations each open for appointments on weekdays 08:30-12:00 and 13:00-16:30 with
    /// `desks` desks and for walk-ins on weekday mornings; and 2 counters per location whose
    /// profiles cover every category. The same arguments always give the same catalogue.
    ///
    /// ```swift
    /// let catalogue = CatalogueGenerator.make(services: 750, seed: 7)
    /// ```
    public static func make(services: Int = 750, locations: Int = 3, desks: Int = 4, seed: UInt64 = 42) -> Catalogue {
        var rng = SplitMix64(seed: seed)
        let categories = categoryTable.map { Category(id: $0.id, name: text($0.name)) }
        let locationCount = max(locations, 1)
        let places = (0..<locationCount).map { makeLocation(index: $0, desks: max(desks, 1)) }

        var combos: [(subject: Int, procedure: Int, qualifier: Int)] = []
        for s in subjects.indices {
            for p in procedures.indices {
                for q in qualifiers.indices { combos.append((s, p, q)) }
            }
        }
        shuffle(&combos, &rng)

        var made: [Service] = []
        made.reserveCapacity(services)
        for n in 0..<max(services, 0) {
            // Past the number of combinations, repeat them with a numbered edition to stay unique.
            let combo = combos[n % combos.count]
            let edition = n / combos.count
            let subject = subjects[combo.subject], procedure = procedures[combo.procedure]
            let qualifier = qualifiers[combo.qualifier]
            var names: [Language: String] = [:]
            for (i, language) in Language.allCases.enumerated() {
                var name = "\(subject.words[i]): \(procedure.words[i])"
                if !qualifier.words[i].isEmpty { name += " \(qualifier.words[i])" }
                if edition > 0 { name += " (\(edition + 1))" }
                names[language] = name
            }
            var id = [subject.slug, procedure.slug, qualifier.slug].filter { !$0.isEmpty }.joined(separator: "-")
            if edition > 0 { id += "-\(edition + 1)" }
            let category = categoryTable[subject.category]
            let channels: Set<Channel> = switch rng.next() % 10 {
            case 0..<6: [.appointment, .walkin]
            case 6..<9: [.appointment]
            default: [.walkin]
            }
            var offeredAt = [places[0].id]
            for place in places.dropFirst() where rng.next() % 2 == 0 { offeredAt.append(place.id) }
            made.append(Service(
                id: id, name: LocalizedText(names), category: category.id,
                durationMinutes: 5 * Int(1 + rng.next() % 12),
                maxPersons: rng.next() % 4 == 0 ? 1 + Int(rng.next() % 5) : 1,
                channels: channels, prefix: category.prefix, locations: offeredAt,
                bring: rng.next() % 3 == 0 ? text(bringTexts) : nil,
                group: subject.category == 3 ? "omgeving" : nil,
                keywords: [subject.slug, procedure.slug]))
        }

        var counters: [Counter] = []
        let categoryIDs = categories.map(\.id)
        for place in places {
            let half = categoryIDs.count / 2
            let rotated = Array(categoryIDs[half...] + categoryIDs[..<half])
            counters.append(Counter(id: "\(place.id)-1", location: place.id, name: "1", profile: categoryIDs.map { .category($0) }))
            counters.append(Counter(id: "\(place.id)-2", location: place.id, name: "2", profile: rotated.map { .category($0) }))
        }

        let settings = Settings(
            municipality: text(["Gemeente Proefdorp", "Commune de Proefdorp", "Municipality of Proefdorp", "Gemeinde Proefdorp"]),
            defaultLanguage: .nl, displayLanguages: [.nl, .fr, .en])
        return Catalogue(settings: settings, categories: categories, locations: places, services: made, counters: counters)
    }

    // MARK: Building blocks

    private static func makeLocation(index: Int, desks: Int) -> Location {
        let weekdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
        func range(_ text: String) -> TimeRange { TimeRange(text)! }
        let appointments = OpeningRule(weekdays: weekdays, ranges: [range("08:30-12:00"), range("13:00-16:30")], desks: desks)
        let walkIn = OpeningRule(weekdays: weekdays, ranges: [range("08:30-12:00")], desks: 1)
        if index == 0 {
            return Location(id: "stadhuis", name: text(["Stadhuis", "Hôtel de ville", "Town hall", "Rathaus"]),
                            address: "Markt 1, 9999 Proefdorp", kind: .townHall,
                            appointmentHours: [appointments], walkInHours: [walkIn])
        }
        return Location(id: "district-\(index)",
                        name: text(["Districtshuis \(index)", "Maison de district \(index)", "District office \(index)",
                                    "Bezirksamt \(index)"]),
                        address: "Dorpsstraat \(index), 9999 Proefdorp", kind: .district,
                        appointmentHours: [appointments], walkInHours: [walkIn])
    }

    /// nl, fr, en, de.
    private static func text(_ words: [String]) -> LocalizedText {
        LocalizedText(Dictionary(uniqueKeysWithValues: zip(Language.allCases, words)))
    }

    private static func shuffle<T>(_ items: inout [T], _ rng: inout SplitMix64) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
    }

    private struct CategorySeed {
        let id: String
        let prefix: String
        let name: [String]
    }

    private struct Part {
        let slug: String
        /// nl, fr, en, de.
        let words: [String]
        var category: Int = 0
    }

    private static let categoryTable: [CategorySeed] = [
        .init(id: "burgerzaken", prefix: "A", name: ["Burgerzaken", "Population", "Civil affairs", "Bürgerangelegenheiten"]),
        .init(id: "burgerlijke-stand", prefix: "B", name: ["Burgerlijke stand", "État civil", "Civil registry", "Standesamt"]),
        .init(id: "vreemdelingen", prefix: "C", name: ["Vreemdelingen", "Étrangers", "Foreign nationals", "Ausländer"]),
        .init(id: "omgeving", prefix: "D", name: ["Omgeving", "Urbanisme", "Planning", "Raumordnung"]),
        .init(id: "mobiliteit", prefix: "E", name: ["Mobiliteit", "Mobilité", "Mobility", "Mobilität"]),
        .init(id: "financien", prefix: "F", name: ["Financiën", "Finances", "Finance", "Finanzen"]),
        .init(id: "welzijn", prefix: "G", name: ["Welzijn", "Affaires sociales", "Welfare", "Soziales"]),
        .init(id: "vrije-tijd", prefix: "H", name: ["Vrije tijd", "Loisirs", "Leisure", "Freizeit"]),
    ]

    private static let subjects: [Part] = [
        .init(slug: "identiteitskaart", words: ["Identiteitskaart", "Carte d'identité", "Identity card", "Personalausweis"], category: 0),
        .init(slug: "kids-id", words: ["Kids-ID", "Kids-ID", "Kids ID", "Kinderausweis"], category: 0),
        .init(slug: "reispas", words: ["Reispas", "Passeport", "Passport", "Reisepass"], category: 0),
        .init(slug: "rijbewijs", words: ["Rijbewijs", "Permis de conduire", "Driving licence", "Führerschein"], category: 0),
        .init(slug: "adres", words: ["Adreswijziging", "Changement d'adresse", "Change of address", "Adressänderung"], category: 0),
        .init(slug: "geboorte", words: ["Geboorteakte", "Acte de naissance", "Birth certificate", "Geburtsurkunde"], category: 1),
        .init(slug: "huwelijk", words: ["Huwelijk", "Mariage", "Marriage", "Eheschließung"], category: 1),
        .init(slug: "samenwoning", words: ["Wettelijke samenwoning", "Cohabitation légale", "Legal cohabitation", "Gesetzliches Zusammenwohnen"], category: 1),
        .init(slug: "overlijden", words: ["Overlijdensakte", "Acte de décès", "Death certificate", "Sterbeurkunde"], category: 1),
        .init(slug: "verblijfskaart", words: ["Verblijfskaart", "Carte de séjour", "Residence card", "Aufenthaltskarte"], category: 2),
        .init(slug: "werkvergunning", words: ["Arbeidskaart", "Permis de travail", "Work permit", "Arbeitserlaubnis"], category: 2),
        .init(slug: "nationaliteit", words: ["Nationaliteit", "Nationalité", "Citizenship", "Staatsangehörigkeit"], category: 2),
        .init(slug: "bouwvergunning", words: ["Omgevingsvergunning", "Permis d'urbanisme", "Building permit", "Baugenehmigung"], category: 3),
        .init(slug: "stedenbouw", words: ["Stedenbouwkundig uittreksel", "Renseignements urbanistiques", "Planning information", "Bauauskunft"], category: 3),
        .init(slug: "milieu", words: ["Milieumelding", "Déclaration environnementale", "Environmental notice", "Umweltmeldung"], category: 3),
        .init(slug: "bewonerskaart", words: ["Bewonerskaart", "Carte riverain", "Resident parking card", "Anwohnerparkausweis"], category: 4),
        .init(slug: "signalisatie", words: ["Signalisatievergunning", "Autorisation de signalisation", "Road signage permit", "Beschilderungsgenehmigung"], category: 4),
        .init(slug: "gehandicaptenkaart", words: ["Parkeerkaart voor personen met een handicap", "Carte de stationnement handicap", "Disabled parking card", "Behindertenparkausweis"], category: 4),
        .init(slug: "belasting", words: ["Gemeentebelasting", "Taxe communale", "Municipal tax", "Gemeindesteuer"], category: 5),
        .init(slug: "afvalpremie", words: ["Afvalbelasting", "Taxe déchets", "Waste charge", "Abfallgebühr"], category: 5),
        .init(slug: "premie", words: ["Renovatiepremie", "Prime à la rénovation", "Renovation grant", "Renovierungsprämie"], category: 5),
        .init(slug: "leefloon", words: ["Leefloon", "Revenu d'intégration", "Social integration income", "Eingliederungseinkommen"], category: 6),
        .init(slug: "kinderopvang", words: ["Kinderopvang", "Accueil d'enfants", "Childcare", "Kinderbetreuung"], category: 6),
        .init(slug: "pensioen", words: ["Pensioen", "Pension", "Pension", "Rente"], category: 6),
        .init(slug: "sportkamp", words: ["Sportkamp", "Stage sportif", "Sports camp", "Sportlager"], category: 7),
        .init(slug: "zaalhuur", words: ["Zaalhuur", "Location de salle", "Hall rental", "Saalmiete"], category: 7),
        .init(slug: "evenement", words: ["Evenement", "Événement", "Event", "Veranstaltung"], category: 7),
        .init(slug: "bibliotheek", words: ["Bibliotheekkaart", "Carte de bibliothèque", "Library card", "Bibliotheksausweis"], category: 7),
    ]

    private static let procedures: [Part] = [
        .init(slug: "aanvraag", words: ["aanvraag", "demande", "application", "Antrag"]),
        .init(slug: "verlenging", words: ["verlenging", "renouvellement", "renewal", "Verlängerung"]),
        .init(slug: "wijziging", words: ["wijziging", "modification", "change", "Änderung"]),
        .init(slug: "afhaling", words: ["afhaling", "retrait", "collection", "Abholung"]),
        .init(slug: "vervanging", words: ["vervanging", "remplacement", "replacement", "Ersatz"]),
        .init(slug: "inlichtingen", words: ["inlichtingen", "informations", "information", "Auskunft"]),
        .init(slug: "attest", words: ["attest", "attestation", "certificate", "Bescheinigung"]),
        .init(slug: "annulering", words: ["annulering", "annulation", "cancellation", "Stornierung"]),
        .init(slug: "inschrijving", words: ["inschrijving", "inscription", "registration", "Anmeldung"]),
        .init(slug: "uittreksel", words: ["uittreksel", "extrait", "extract", "Auszug"]),
    ]

    private static let qualifiers: [Part] = [
        .init(slug: "", words: ["", "", "", ""]),
        .init(slug: "minderjarigen", words: ["voor minderjarigen", "pour mineurs", "for minors", "für Minderjährige"]),
        .init(slug: "dringend", words: ["(dringend)", "(urgent)", "(urgent)", "(dringend)"]),
        .init(slug: "ondernemingen", words: ["voor ondernemingen", "pour entreprises", "for businesses", "für Unternehmen"]),
        .init(slug: "niet-inwoners", words: ["voor niet-inwoners", "pour non-résidents", "for non-residents", "für Nichtansässige"]),
        .init(slug: "volmacht", words: ["met volmacht", "par procuration", "by proxy", "mit Vollmacht"]),
    ]

    private static let bringTexts = [
        "Identiteitskaart en eventueel een pasfoto", "Carte d'identité et éventuellement une photo",
        "Identity card and a passport photo if needed", "Personalausweis und gegebenenfalls ein Passfoto",
    ]
}

