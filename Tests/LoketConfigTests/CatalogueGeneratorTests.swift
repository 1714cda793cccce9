// CatalogueGenerator: size, uniqueness, spread, and determinism per seed.
import LoketConfig
import LoketCore
import Testing

@Test func generatorMakesUniqueServicesSpreadOverTheCategories() {
    let seed: UInt64 = 42
    print("CatalogueGenerator seed \(seed)")
    let catalogue = CatalogueGenerator.make(services: 750, seed: seed)
    #expect(catalogue.services.count == 750)
    #expect(Set(catalogue.services.map(\.id)).count == 750)
    for language in Language.allCases {
        #expect(Set(catalogue.services.map { $0.name.values[language] ?? "" }).count == 750, "\(language)")
    }
    #expect(catalogue.categories.count == 8)
    #expect(Set(catalogue.services.map(\.category)) == Set(catalogue.categories.map(\.id)))
    #expect(catalogue.services.allSatisfy { (5...60).contains($0.durationMinutes) && !$0.channels.isEmpty })
    #expect(catalogue.services.allSatisfy { s in s.locations.allSatisfy { catalogue.location($0) != nil } })
    #expect(catalogue.locations.count == 3)
    #expect(catalogue.counters.count == 6)
    let hall = catalogue.locations[0]
    #expect(hall.appointmentHours.first?.desks == 4)
    #expect(hall.appointmentHours.first?.ranges.map(\.description) == ["08:30-12:00", "13:00-16:30"])
    #expect(!hall.walkInHours.isEmpty)
    // Every service is served by some counter at each of its locations.
    for service in catalogue.services {
        for location in service.locations {
            #expect(catalogue.counters(at: location).contains { catalogue.rank(of: service, for: $0) != nil })
        }
    }
}

@Test func generatorIsDeterministicPerSeed() {
    let a = CatalogueGenerator.make(services: 300, locations: 4, desks: 2, seed: 7)
    let b = CatalogueGenerator.make(services: 300, locations: 4, desks: 2, seed: 7)
    let c = CatalogueGenerator.make(services: 300, locations: 4, desks: 2, seed: 8)
    #expect(a.services == b.services && a.locations == b.locations && a.counters == b.counters)
    #expect(a.services != c.services)
    #expect(a.locations.count == 4 && a.locations[1].appointmentHours[0].desks == 2)
}

@Test func generatorStaysUniqueBeyondItsWordParts() {
    let catalogue = CatalogueGenerator.make(services: 4000, seed: 1)
    #expect(Set(catalogue.services.map(\.id)).count == 4000)
    #expect(Set(catalogue.services.map { $0.name.resolve(.nl) }).count == 4000)
}
