// ConfigLoader: a valid directory loads with the right values; every kind of mistake is
// reported with the file, line and column of the node at fault, and all of them at once.
import Foundation
import LoketConfig
import LoketCore
import Testing

/// Loads `dir`, returning the issues (empty when it loaded).
private func issues(in dir: String) -> [ConfigIssue] {
    do {
        _ = try ConfigLoader.load(directory: dir)
        return []
    } catch let error as ConfigError {
        return error.issues
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}

@Test func validConfigLoadsWithTheRightValues() throws {
    let dir = try ConfigFixture().write()
    let catalogue = try ConfigLoader.load(directory: dir)

    let s = catalogue.settings
    #expect(s.municipality.resolve(.de) == "Gemeinde Wilgendaal")
    #expect(s.defaultLanguage == .fr)
    #expect(s.displayLanguages == [.nl, .fr, .en])
    #expect(s.publicBaseURL == "http://127.0.0.1:8080")
    #expect(s.retentionDays == 30 && s.maxActivePerContact == 2 && s.rateLimitPerMinute == 60)
    #expect(s.mail == MailPolicy(from: "loket@wilgendaal.be", fromName: "Gemeente Wilgendaal", replyTo: "balie@wilgendaal.be",
                                 reminderHours: [24, 2]))
    #expect(s.waitlist == WaitlistPolicy(holdMinutes: 45, maxPerContact: 2))
    #expect(s.queue == QueuePolicy(agingMinutesPerStep: 5, appointmentBoost: 4, priorityBoost: 2,
                                   checkInEarlyMinutes: 20, checkInLateMinutes: 10, recallLimit: 2))

    #expect(catalogue.service("eid-aanvraag")?.outcomes.map(\.id) == ["aangevraagd", "doorverwezen"])
    #expect(catalogue.service("eid-aanvraag")?.outcomes.first?.name.resolve(.fr) == "Demande introduite")
    #expect(catalogue.service("bouwvergunning")?.outcomes.isEmpty == true)
    #expect(catalogue.categories.map(\.id) == ["burgerzaken", "omgeving"])
    #expect(catalogue.category("burgerzaken")?.name.resolve(.en) == "Civil affairs")

    let hall = try #require(catalogue.location("stadhuis"))
    #expect(hall.kind == .townHall)
    #expect(hall.address == "Markt 1, 9999 Wilgendaal")
    #expect(hall.timeZone.identifier == "Europe/Brussels")
    #expect(hall.booking == BookingPolicy(slotMinutes: 10, leadMinutes: 60, horizonDays: 30, walkInReserve: 1,
                                          onlineShare: 0.8, cancelCooldownMinutes: 30))
    let weekdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
    #expect(hall.appointmentHours.count == 2)
    #expect(hall.appointmentHours[0] == OpeningRule(
        weekdays: weekdays, ranges: [TimeRange("08:30-12:00")!, TimeRange("13:00-16:00")!], desks: 4))
    // Unquoted `09:00-12:00` and `2026-01-01` are read as text, not as YAML 1.1 numbers or timestamps.
    #expect(hall.appointmentHours[1] == OpeningRule(
        weekdays: [.saturday], ranges: [TimeRange(start: TimeOfDay(minutes: 540), end: TimeOfDay(minutes: 720))],
        validFrom: CivilDate(year: 2026, month: 1, day: 1), validUntil: CivilDate(year: 2027, month: 12, day: 31),
        everyWeeks: 2, weekAnchor: CivilDate(year: 2026, month: 1, day: 3), desks: 2, serviceGroups: ["omgeving"]))
    #expect(hall.walkInHours == [OpeningRule(weekdays: weekdays, ranges: [TimeRange("08:30-12:00")!], desks: 1)])
    #expect(hall.closures == [
        Closure(from: CivilDate("2026-12-24")!, until: CivilDate("2026-12-24")!,
                ranges: [TimeRange(start: TimeOfDay(minutes: 720), end: TimeOfDay(minutes: 1440))],
                reason: LocalizedText([.nl: "Kerstavond", .fr: "Réveillon de Noël"])),
        Closure(from: CivilDate("2026-07-20")!, until: CivilDate("2026-07-31")!),
    ])
    #expect(hall.extraOpenings == [ExtraOpening(date: CivilDate("2026-12-19")!, ranges: [TimeRange("09:00-12:00")!],
                                                desks: 2, walkIn: true)])

    let east = try #require(catalogue.location("deelgemeente-oost"))
    #expect(east.kind == .district)
    #expect(east.timeZone.identifier == "Europe/Amsterdam")
    #expect(east.booking == BookingPolicy())
    #expect(east.appointmentHours.first?.weekdays == [.monday, .wednesday])
    #expect(east.walkInHours.isEmpty && east.closures.isEmpty)

    let eid = try #require(catalogue.service("eid-aanvraag"))
    #expect(eid.name.resolve(.fr) == "Demander une carte d'identité")
    #expect(eid.category == "burgerzaken" && eid.durationMinutes == 15 && eid.maxPersons == 5)
    #expect(eid.channels == [.appointment, .walkin] && eid.prefix == "A")
    #expect(eid.locations == ["stadhuis", "deelgemeente-oost"])
    #expect(eid.bring?.resolve(.nl) == "Oude identiteitskaart")
    #expect(eid.keywords == ["eid", "identiteitskaart"])
    #expect(eid.group == nil && eid.leadMinutes == nil && eid.horizonDays == nil)
    let permit = try #require(catalogue.service("bouwvergunning"))
    #expect(permit.maxPersons == 1 && permit.channels == [.appointment] && permit.prefix == "OV")
    #expect(permit.group == "omgeving" && permit.leadMinutes == 1440 && permit.horizonDays == 90)

    #expect(catalogue.counters == [
        Counter(id: "stadhuis-1", location: "stadhuis", name: "1",
                profile: [.service("eid-aanvraag"), .category("omgeving")]),
        Counter(id: "oost-1", location: "deelgemeente-oost", name: "Loket 1", profile: [.category("burgerzaken")]),
    ])
}

@Test func settingsKeysAreOptional() throws {
    var fixture = ConfigFixture()
    fixture.files["settings.yaml"] = "# nothing configured yet\n"
    let catalogue = try ConfigLoader.load(directory: try fixture.write())
    #expect(catalogue.settings == Settings())
}

/// One mistake in one file and the issue it must produce.
struct BrokenConfig: Sendable, CustomStringConvertible {
    var file: String
    var old: String
    var new: String
    /// A fragment of the expected message.
    var message: String
    /// Where the issue must point: the first occurrence of this text in the edited file.
    var at: String
    /// All issues the mistake causes (most cause exactly one).
    var count = 1

    var description: String { "\(file): \(message)" }
}

let brokenConfigs: [BrokenConfig] = [
    .init(file: "services.yaml", old: "durationMinutes: 60", new: "durationMinute: 60",
          message: "unknown key 'durationMinute' in service 'bouwvergunning' (did you mean 'durationMinutes'?)",
          at: "durationMinute:", count: 2),
    .init(file: "services.yaml", old: "  category: omgeving\n", new: "",
          message: "missing key 'category' in service 'bouwvergunning'", at: "id: bouwvergunning"),
    .init(file: "services.yaml", old: "durationMinutes: 15", new: "durationMinutes: kwartier",
          message: "expected a whole number for 'durationMinutes' in service 'eid-aanvraag', got 'kwartier'",
          at: "kwartier"),
    .init(file: "services.yaml", old: "durationMinutes: 60", new: "durationMinutes: 600",
          message: "'durationMinutes' in service 'bouwvergunning' must be between 1 and 480, got 600", at: "600"),
    .init(file: "services.yaml", old: "maxPersons: 5", new: "maxPersons: 25",
          message: "'maxPersons' in service 'eid-aanvraag' must be between 1 and 20", at: "25"),
    .init(file: "services.yaml", old: "- id: bouwvergunning", new: "- id: Bouw_Vergunning",
          message: "invalid id 'Bouw_Vergunning'", at: "Bouw_Vergunning"),
    .init(file: "services.yaml", old: "- id: bouwvergunning", new: "- id: eid-aanvraag",
          message: "duplicate service id 'eid-aanvraag' (first defined at", at: "eid-aanvraag\n  name: {nl: Omg"),
    .init(file: "services.yaml", old: "locations: [stadhuis, deelgemeente-oost]", new: "locations: [stadhuis, nergens]",
          message: "unknown location 'nergens' in service 'eid-aanvraag'", at: "nergens"),
    .init(file: "services.yaml", old: "category: omgeving", new: "category: omgevingen",
          message: "unknown category 'omgevingen' in service 'bouwvergunning'", at: "omgevingen"),
    .init(file: "services.yaml", old: "name: {nl: Omgevingsvergunning}", new: "name: {fr: Permis d'urbanisme}",
          message: "'name' in service 'bouwvergunning' needs at least a Dutch text ('nl')", at: "{fr:"),
    .init(file: "categories.yaml", old: "name: {nl: Omgeving}", new: "name: {nl: Omgeving, es: Entorno}",
          message: "unknown language 'es' in 'name' in category 'omgeving'", at: "es:"),
    .init(file: "services.yaml", old: "prefix: OV", new: "prefix: ov1",
          message: "prefix 'ov1' in service 'bouwvergunning' must be one or two capital letters", at: "ov1"),
    .init(file: "services.yaml", old: "channels: [appointment]", new: "channels: [afspraak]",
          message: "unknown channel 'afspraak' in service 'bouwvergunning'", at: "afspraak"),
    .init(file: "services.yaml", old: "channels: [appointment]", new: "channels: []",
          message: "'channels' in service 'bouwvergunning' must list at least one channel", at: "[]"),
    .init(file: "services.yaml", old: "keywords: [eid, identiteitskaart]", new: "keywords: eid",
          message: "expected a list for 'keywords' in service 'eid-aanvraag'", at: "eid\n"),
    .init(file: "locations.yaml", old: "\"13:00-16:00\"", new: "\"13:00-12:30\"",
          message: "invalid hours '13:00-12:30' in 'hours' in appointments rule #1 of location 'stadhuis'",
          at: "\"13:00-12:30\""),
    .init(file: "locations.yaml", old: "\"13:00-16:00\"", new: "\"11:00-16:00\"",
          message: "hours '11:00-16:00' overlap '08:30-12:00'", at: "\"11:00-16:00\""),
    .init(file: "locations.yaml", old: "validUntil: 2027-12-31", new: "validUntil: 2025-12-31",
          message: "'validUntil' 2025-12-31 is before 'validFrom' 2026-01-01 in appointments rule #2 of location 'stadhuis'",
          at: "2025-12-31"),
    .init(file: "locations.yaml", old: "date: 2026-12-19", new: "date: 2026-02-30",
          message: "invalid date '2026-02-30' for 'date' in extra opening #1 of location 'stadhuis'", at: "2026-02-30"),
    .init(file: "locations.yaml", old: "everyWeeks: 2", new: "everyWeeks: 0",
          message: "'everyWeeks' in appointments rule #2 of location 'stadhuis' must be between 1 and 52, got 0", at: "0\n"),
    .init(file: "locations.yaml", old: "onlineShare: 0.8", new: "onlineShare: 1.5",
          message: "'onlineShare' in the booking policy of location 'stadhuis' must be between 0.0 and 1.0, got 1.5",
          at: "1.5"),
    .init(file: "locations.yaml", old: "walkInReserve: 1", new: "walkInReserve: -1",
          message: "'walkInReserve' in the booking policy of location 'stadhuis' must be at least 0, got -1", at: "-1"),
    .init(file: "locations.yaml", old: "      desks: 4\n", new: "",
          message: "missing key 'desks' in appointments rule #1 of location 'stadhuis'", at: "days: [mon,"),
    .init(file: "locations.yaml", old: "days: [zaterdag]", new: "days: [zaterdag, feestdag]",
          message: "unknown day 'feestdag' in appointments rule #2 of location 'stadhuis'", at: "feestdag"),
    .init(file: "locations.yaml", old: "timeZone: Europe/Amsterdam", new: "timeZone: Europe/Wilgendaal",
          message: "unknown time zone 'Europe/Wilgendaal' in location 'deelgemeente-oost'", at: "Europe/Wilgendaal"),
    .init(file: "locations.yaml", old: "groups: [omgeving]", new: "groups: [omgving]",
          message: "unknown service group 'omgving' in appointments rule #2 of location 'stadhuis'", at: "omgving"),
    .init(file: "locations.yaml", old: "kind: district", new: "kind: village",
          message: "unknown kind 'village' in location 'deelgemeente-oost'", at: "village"),
    .init(file: "locations.yaml", old: "walkIn: true", new: "walkIn: misschien",
          message: "expected true or false for 'walkIn' in extra opening #1 of location 'stadhuis'", at: "misschien"),
    .init(file: "counters.yaml", old: "location: deelgemeente-oost", new: "location: deelgemeente-west",
          message: "unknown location 'deelgemeente-west' in counter 'oost-1'", at: "deelgemeente-west"),
    .init(file: "counters.yaml", old: "\"service:eid-aanvraag\"", new: "\"service:eid\"",
          message: "unknown service 'eid' in the profile of counter 'stadhuis-1'", at: "\"service:eid\""),
    .init(file: "counters.yaml", old: "[\"category:burgerzaken\"]", new: "[\"service:bouwvergunning\"]",
          message: "service 'bouwvergunning' in the profile of counter 'oost-1' is not offered at location 'deelgemeente-oost'",
          at: "\"service:bouwvergunning\""),
    .init(file: "counters.yaml", old: "\"category:omgeving\"", new: "\"categorie:omgeving\"",
          message: "invalid profile entry 'categorie:omgeving' in counter 'stadhuis-1'", at: "\"categorie:omgeving\""),
    .init(file: "settings.yaml", old: "recallLimit: 2}", new: "recallLimt: 2}",
          message: "unknown key 'recallLimt' in queue settings (did you mean 'recallLimit'?)", at: "recallLimt"),
    .init(file: "settings.yaml", old: "displayLanguages: [nl, fr, en]", new: "displayLanguages: [nl, fr, es]",
          message: "unknown language 'es' for an entry of 'displayLanguages' in settings", at: "es]"),
    .init(file: "settings.yaml", old: "from: loket@wilgendaal.be", new: "from: loket wilgendaal",
          message: "'from' in mail settings must be one e-mail address such as loket@wilgendaal.be, got 'loket wilgendaal'",
          at: "loket wilgendaal"),
    .init(file: "settings.yaml", old: "reminderHours: [2, 24]", new: "reminderHours: [2, -24]",
          message: "an entry of 'reminderHours' in mail settings must be between 1 and 720, got -24", at: "-24"),
    .init(file: "settings.yaml", old: "holdMinutes: 45", new: "holdMinutes: 0",
          message: "must be between 1 and 1440, got 0", at: "0, maxPerContact"),
    .init(file: "settings.yaml", old: "maxPerContact: 2}", new: "maxPerContact: 2, hold: 3}",
          message: "hold", at: "hold: 3"),
    .init(file: "settings.yaml", old: "reminderHours: [2, 24]", new: "reminderHours: [24, 24]",
          message: "'reminderHours' in mail settings lists the same hour twice", at: "[24, 24]"),
    .init(file: "settings.yaml", old: "reminderHours: [2, 24]", new: "reminderHours: 24",
          message: "expected a list for 'reminderHours' in mail settings", at: "24}"),
    .init(file: "services.yaml", old: "{id: doorverwezen,", new: "{id: aangevraagd,",
          message: "outcome 'aangevraagd' listed twice in service 'eid-aanvraag'", at: "aangevraagd, name: {nl: Doorverwezen"),
    .init(file: "services.yaml", old: "{id: doorverwezen,", new: "{id: Door_verwezen,",
          message: "invalid id 'Door_verwezen' for 'id' in outcome 2 of service 'eid-aanvraag'", at: "Door_verwezen"),
    .init(file: "services.yaml", old: "name: {nl: Doorverwezen}", new: "name: {en: Referred}",
          message: "'name' in outcome 2 of service 'eid-aanvraag' needs at least a Dutch text ('nl')", at: "{en: Referred}"),
    .init(file: "services.yaml", old: ", name: {nl: Doorverwezen}}", new: "}",
          message: "missing key 'name' in outcome 2 of service 'eid-aanvraag'", at: "{id: doorverwezen}"),
    .init(file: "services.yaml", old: "    - {id: aangevraagd, name: {nl: Aangevraagd, fr: Demande introduite}}\n    - {id: doorverwezen, name: {nl: Doorverwezen}}\n",
          new: "    - aangevraagd\n",
          message: "expected a mapping for outcome 1 of service 'eid-aanvraag'", at: "aangevraagd"),
    .init(file: "services.yaml", old: "  prefix: A\n", new: "  prefix: A\n  prefix: B\n",
          message: "duplicate key 'prefix'", at: "prefix: A"),
]

@Test(arguments: brokenConfigs)
func eachMistakeIsReportedWhereItIs(_ broken: BrokenConfig) throws {
    var fixture = ConfigFixture()
    fixture.replace(broken.file, broken.old, broken.new)
    let dir = try fixture.write()
    let found = issues(in: dir)
    let expected = fixture.position(of: broken.at, in: broken.file)
    let issue = try #require(found.first { $0.message.contains(broken.message) }, "got: \(found)")
    #expect(issue.file == dir + "/" + broken.file)
    #expect(issue.line == expected.line, "\(issue)")
    #expect(issue.column == expected.column, "\(issue)")
    #expect(issue.description == "\(dir)/\(broken.file):\(issue.line):\(issue.column): \(issue.message)")
    #expect(found.count == broken.count, "\(found)")
}

@Test func malformedYAMLIsOneIssueAtYamsLine() throws {
    var fixture = ConfigFixture()
    fixture.replace("categories.yaml", "  name: {nl: Omgeving}", "\tname: {nl: Omgeving}")
    let dir = try fixture.write()
    let found = issues(in: dir)
    let line = fixture.position(of: "\tname", in: "categories.yaml").line
    #expect(found.count == 1, "\(found)")
    #expect(found.first?.file == dir + "/categories.yaml")
    #expect(found.first?.line == line, "\(found)")
    #expect(found.first?.message.hasPrefix("malformed YAML") == true)
}

@Test func missingFilesAndDirectoryAreReported() throws {
    var fixture = ConfigFixture()
    fixture.files["counters.yaml"] = nil
    fixture.files["services.yaml"] = nil
    let dir = try fixture.write()
    let found = issues(in: dir)
    #expect(found.map(\.description) == [
        "\(dir)/services.yaml: missing file (the services go in services.yaml or in services/*.yaml)",
        "\(dir)/counters.yaml: missing file",
    ])

    let nowhere = dir + "/nope"
    #expect(issues(in: nowhere).map(\.description) == ["\(nowhere): config directory not found"])
}

@Test func everyIssueIsReportedAtOnce() throws {
    var fixture = ConfigFixture()
    fixture.replace("settings.yaml", "retentionDays: 30", "retentionDays: dertig")
    fixture.replace("locations.yaml", "kind: district", "kind: village")
    fixture.replace("services.yaml", "durationMinutes: 15", "durationMinutes: 0")
    fixture.replace("services.yaml", "prefix: OV", "prefix: OVX")
    fixture.replace("counters.yaml", "\"category:omgeving\"", "\"category:sport\"")
    let dir = try fixture.write()
    let found = issues(in: dir)
    #expect(found.map { "\($0.file.dropFirst(dir.count + 1)):\($0.line)" } == [
        "settings.yaml:5", "locations.yaml:34", "services.yaml:4", "services.yaml:19", "counters.yaml:4",
    ], "\(found)")
    #expect(found[4].message == "unknown category 'sport' in the profile of counter 'stadhuis-1'")
}

@Test func servicesMaySpreadOverADirectory() throws {
    var fixture = ConfigFixture()
    let all = fixture.files["services.yaml"]!
    let split = all.range(of: "- id: bouwvergunning")!.lowerBound
    fixture.files["services.yaml"] = nil
    // Read in name order: 10-... after 02-...; a non-YAML file is ignored.
    fixture.files["services/10-omgeving.yaml"] = String(all[split...]).replacingOccurrences(of: "prefix: OV", with: "prefix: 0V")
    fixture.files["services/02-burgerzaken.yaml"] = String(all[..<split])
    fixture.files["services/README.txt"] = "not: [yaml"
    let dir = try fixture.write()
    let found = issues(in: dir)
    #expect(found.map(\.description) == [
        "\(dir)/services/10-omgeving.yaml:6:11: prefix '0V' in service 'bouwvergunning' must be one or two capital letters A-Z",
    ])

    fixture.files["services/10-omgeving.yaml"] = String(all[split...])
    let catalogue = try ConfigLoader.load(directory: try fixture.write())
    #expect(catalogue.services.map(\.id) == ["eid-aanvraag", "bouwvergunning"])

    // services.yaml and services/ together: both are read, services.yaml first.
    fixture.files["services.yaml"] = fixture.files["services/02-burgerzaken.yaml"]
    fixture.files["services/02-burgerzaken.yaml"] = nil
    let both = try ConfigLoader.load(directory: try fixture.write())
    #expect(both.services.map(\.id) == ["eid-aanvraag", "bouwvergunning"])
}

@Test func theDemoConfigLoadsCleanly() throws {
    // Tests/LoketConfigTests/ConfigLoaderTests.swift -> the package root.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let dir = root.appendingPathComponent("config").path
    guard FileManager.default.fileExists(atPath: dir + "/locations.yaml") else {
        print("note: no demo config at \(dir) yet; skipping theDemoConfigLoadsCleanly")
        return
    }
    let found = issues(in: dir)
    #expect(found.isEmpty, "\(found.map(\.description).joined(separator: "\n"))")
    guard found.isEmpty else { return }
    let catalogue = try ConfigLoader.load(directory: dir)
    print("demo config: \(catalogue.categories.count) categories, \(catalogue.locations.count) locations, "
          + "\(catalogue.services.count) services, \(catalogue.counters.count) counters")
    #expect(catalogue.services.count >= 150)
    #expect(catalogue.locations.count >= 3)
}
