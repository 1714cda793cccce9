// A small valid config directory, written to a fresh temp directory per test, and helpers
// to break one file of it and to find where in a file an issue should point.
import Foundation

/// The files of a valid config, by name; tests edit a copy and write it out.
struct ConfigFixture {
    var files: [String: String] = ConfigFixture.valid

    /// Replaces the one occurrence of `old` in `file`; a fixture typo fails loudly.
    mutating func replace(_ file: String, _ old: String, _ new: String) {
        let text = files[file] ?? ""
        precondition(text.components(separatedBy: old).count == 2, "'\(old)' must occur exactly once in \(file)")
        files[file] = text.replacingOccurrences(of: old, with: new)
    }

    /// Writes the files to a new temp directory and returns its path.
    func write() throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("loket-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// 1-based line and column of the first occurrence of `marker` (which may span lines) in `file`.
    func position(of marker: String, in file: String) -> (line: Int, column: Int) {
        let text = files[file] ?? ""
        guard let r = text.range(of: marker) else { preconditionFailure("'\(marker)' not in \(file)") }
        let before = text[..<r.lowerBound]
        let lineStart = before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex
        let line = before.filter { $0 == "\n" }.count + 1
        return (line, before[lineStart...].unicodeScalars.count + 1)
    }

    static let valid: [String: String] = [
        "settings.yaml": """
        municipality: {nl: Gemeente Wilgendaal, fr: Commune de Wilgendaal, en: Municipality of Wilgendaal, de: Gemeinde Wilgendaal}
        defaultLanguage: fr
        displayLanguages: [nl, fr, en]
        publicBaseURL: http://127.0.0.1:8080/
        retentionDays: 30
        maxActivePerContact: 2
        rateLimitPerMinute: 60
        queue: {agingMinutesPerStep: 5, appointmentBoost: 4, priorityBoost: 2, checkInEarlyMinutes: 20, checkInLateMinutes: 10, recallLimit: 2}
        mail: {from: loket@wilgendaal.be, fromName: Gemeente Wilgendaal, replyTo: balie@wilgendaal.be, reminderHours: [2, 24]}
        waitlist: {holdMinutes: 45, maxPerContact: 2}

        """,
        "categories.yaml": """
        # display order
        - id: burgerzaken
          name: {nl: Burgerzaken, fr: Population, en: Civil affairs, de: Bürgerangelegenheiten}
        - id: omgeving
          name: {nl: Omgeving}

        """,
        "locations.yaml": """
        - id: stadhuis
          name: {nl: Stadhuis, fr: Hôtel de ville, en: Town hall, de: Rathaus}
          address: "Markt 1, 9999 Wilgendaal"
          kind: town-hall
          booking: {slotMinutes: 10, leadMinutes: 60, horizonDays: 30, walkInReserve: 1, onlineShare: 0.8, cancelCooldownMinutes: 30}
          appointments:
            - days: [mon, tue, wed, thu, fri]
              hours: ["08:30-12:00", "13:00-16:00"]
              desks: 4
            - days: [zaterdag]
              hours: [09:00-12:00]
              desks: 2
              validFrom: 2026-01-01
              validUntil: 2027-12-31
              everyWeeks: 2
              weekAnchor: 2026-01-03
              groups: [omgeving]
          walkIn:
            - days: [monday, tue, wed, thu, fri]
              hours: ["08:30-12:00"]
          closures:
            - from: 2026-12-24
              hours: ["12:00-24:00"]
              reason: {nl: Kerstavond, fr: Réveillon de Noël}
            - from: 2026-07-20
              until: 2026-07-31
          extraOpenings:
            - date: 2026-12-19
              hours: ["09:00-12:00"]
              desks: 2
              walkIn: true
        - id: deelgemeente-oost
          name: {nl: Deelgemeentehuis Oost}
          kind: district
          timeZone: Europe/Amsterdam
          appointments:
            - days: [ma, wo]
              hours: ["09:00-12:00"]
              desks: 1

        """,
        "services.yaml": """
        - id: eid-aanvraag
          name: {nl: Identiteitskaart (eID) aanvragen, fr: Demander une carte d'identité, en: Apply for an identity card, de: Personalausweis beantragen}
          category: burgerzaken
          durationMinutes: 15
          maxPersons: 5
          channels: [appointment, walkin]
          prefix: A
          locations: [stadhuis, deelgemeente-oost]
          bring: {nl: Oude identiteitskaart}
          keywords: [eid, identiteitskaart]
          outcomes:
            - {id: aangevraagd, name: {nl: Aangevraagd, fr: Demande introduite}}
            - {id: doorverwezen, name: {nl: Doorverwezen}}
        - id: bouwvergunning
          name: {nl: Omgevingsvergunning}
          category: omgeving
          durationMinutes: 60
          channels: [appointment]
          prefix: OV
          locations: [stadhuis]
          group: omgeving
          leadMinutes: 1440
          horizonDays: 90

        """,
        "counters.yaml": """
        - id: stadhuis-1
          location: stadhuis
          name: 1
          profile: ["service:eid-aanvraag", "category:omgeving"]
        - id: oost-1
          location: deelgemeente-oost
          name: "Loket 1"
          profile: ["category:burgerzaken"]

        """,
    ]
}
