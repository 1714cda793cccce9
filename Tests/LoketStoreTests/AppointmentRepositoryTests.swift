// Appointment rows: round trip, capacity intervals, holds, status changes and the privacy purge.
import Foundation
import LoketCore
import Testing
@testable import LoketStore

@Suite("Appointment repository")
struct AppointmentRepositoryTests {
    @Test("insert and read back every field; Unicode names verbatim")
    func roundTrip() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let names = ["Zoë Ņ 李", "Ærøskøbing O'Brien-Ñúñez", "👩‍👩‍👧 family", "Zoe\u{0308}"]  // the last is decomposed
        for (i, name) in names.enumerated() {
            var a = makeAppointment("UNI-00\(i)", start: 60 + i * 15, name: name, email: "zoë@exämple.be", phone: nil)
            a.items = [.init(service: "eid", persons: 2), .init(service: "reispas", persons: 1)]
            a.channel = .staff
            a.language = .de
            let hash: [UInt8] = Array(0..<32).map { UInt8($0 * 7 % 256) }
            try store.write { try $0.insertAppointment(a, tokenHash: hash, group: "burgerzaken", contactKey: "ck-\(i)") }
            let read = try #require(try store.read { try $0.appointment(reference: a.reference) })
            #expect(read.appointment == a)
            #expect(read.appointment.name == name)
            #expect(read.appointment.name.unicodeScalars.elementsEqual(name.unicodeScalars), "stored verbatim, not normalized")
            #expect(read.tokenHash == hash)
            #expect(read.group == "burgerzaken")
        }
        #expect(try store.read { try $0.appointment(reference: "NOPE") } == nil)
    }

    @Test("a name with an embedded NUL is stored whole")
    func embeddedNUL() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        let a = makeAppointment("NUL-001", name: "Jan\u{0}Peeters")
        try store.write { try $0.insertAppointment(a, tokenHash: [1], group: nil, contactKey: nil) }
        let name = try store.read { try $0.appointment(reference: "NUL-001")?.appointment.name }
        #expect(name == "Jan\u{0}Peeters")
        #expect(name?.hasPrefix("Jan") == true)
    }

    @Test("a duplicate reference is a unique violation")
    func duplicateReference() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertAppointment(makeAppointment("K7M-3QX"), tokenHash: [1], group: nil, contactKey: nil) }
        let error = #expect(throws: SQLiteError.self) {
            try store.write { try $0.insertAppointment(makeAppointment("K7M-3QX", start: 300), tokenHash: [2], group: nil, contactKey: nil) }
        }
        #expect(error?.isUniqueViolation == true)
        #expect(try store.read { try $0.appointment(reference: "K7M-3QX")?.appointment.start } == at(60))
    }

    @Test("bookedIntervals: half-open overlap, other locations, cancelled and the excluded reference are left out")
    func bookedIntervals() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { c in
            // [60, 75) at town-hall, group eid; [75, 90) staff; a cancelled one; one elsewhere.
            try c.insertAppointment(makeAppointment("A", start: 60), tokenHash: [1], group: "eid", contactKey: nil)
            var staff = makeAppointment("B", start: 75)
            staff.channel = .staff
            try c.insertAppointment(staff, tokenHash: [2], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("C", start: 60, status: .cancelled), tokenHash: [3], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("D", location: "district", start: 60), tokenHash: [4], group: nil, contactKey: nil)
            try c.insertAppointment(makeAppointment("E", start: 60, status: .done), tokenHash: [5], group: nil, contactKey: nil)
        }
        func refs(_ from: Int, _ to: Int, excluding: String? = nil) throws -> [BookedInterval] {
            try store.read { try $0.bookedIntervals(location: "town-hall", from: at(from), to: at(to), excluding: excluding) }
                .sorted { ($0.start, $0.end) < ($1.start, $1.end) }
        }
        let table: [(Int, Int, Int)] = [
            (0, 60, 0),    // ends where A starts: no overlap
            (0, 61, 2),    // A and E
            (74, 75, 2),   // last minute of A/E
            (75, 76, 1),   // only B (A ended)
            (90, 120, 0),  // B ended
            (0, 1000, 3),
        ]
        for (from, to, count) in table {
            #expect(try refs(from, to).count == count, "[\(from), \(to))")
        }
        let all = try refs(0, 1000)
        #expect(all.map(\.channel).contains(.staff))
        #expect(all.contains { $0.group == "eid" && $0.start == at(60) && $0.end == at(75) })
        #expect(try refs(0, 1000, excluding: "A").count == 2)
        #expect(try refs(0, 1000, excluding: "B").count == 2)
        #expect(try refs(0, 1000, excluding: "nobody").count == 3)
    }

    @Test("holds count only until their end of cooldown, and overlap half-open")
    func holds() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { c in
            try c.insertHold(location: "town-hall", group: "eid", start: at(60), end: at(75), channel: .online, until: at(30))
            try c.insertHold(location: "district", group: nil, start: at(60), end: at(75), channel: .online, until: at(30))
        }
        let held = { (now: Int, from: Int, to: Int) throws -> [BookedInterval] in
            try store.read { try $0.holds(location: "town-hall", from: at(from), to: at(to), now: at(now)) }
        }
        #expect(try held(0, 0, 1000) == [BookedInterval(start: at(60), end: at(75), group: "eid", channel: .online)])
        #expect(try held(29, 0, 1000).count == 1)
        #expect(try held(30, 0, 1000).isEmpty, "until is exclusive")
        #expect(try held(0, 75, 90).isEmpty)
        #expect(try held(0, 0, 60).isEmpty)
        #expect(try held(0, 74, 75).count == 1)
    }

    @Test("status changes keep the ticket id once set; moving changes the interval")
    func statusAndMove() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { try $0.insertAppointment(makeAppointment("S-1"), tokenHash: [1], group: nil, contactKey: "ck") }
        try store.write { try $0.setAppointmentStatus(reference: "S-1", .checkedIn, ticketID: "tkt-1", now: at(55)) }
        try store.write { try $0.setAppointmentStatus(reference: "S-1", .called, now: at(58)) }
        var a = try #require(try store.read { try $0.appointment(reference: "S-1")?.appointment })
        #expect(a.status == .called)
        #expect(a.ticketID == "tkt-1")
        try store.write { try $0.moveAppointment(reference: "S-1", start: at(120), end: at(135), now: at(1)) }
        a = try #require(try store.read { try $0.appointment(reference: "S-1")?.appointment })
        #expect(a.start == at(120) && a.end == at(135))
        #expect(try store.read { try $0.appointments(location: "town-hall", from: at(120), to: at(121)) }.map(\.reference) == ["S-1"])
        #expect(try store.read { try $0.appointments(location: "town-hall", from: at(0), to: at(120)) }.isEmpty)
    }

    @Test("active appointments per contact count only booked, future ones")
    func activePerContact() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { c in
            try c.insertAppointment(makeAppointment("P-1", start: 60), tokenHash: [1], group: nil, contactKey: "k")
            try c.insertAppointment(makeAppointment("P-2", start: 120), tokenHash: [2], group: nil, contactKey: "k")
            try c.insertAppointment(makeAppointment("P-3", start: 180, status: .cancelled), tokenHash: [3], group: nil, contactKey: "k")
            try c.insertAppointment(makeAppointment("P-4", start: 180), tokenHash: [4], group: nil, contactKey: "other")
        }
        #expect(try store.read { try $0.activeAppointmentCount(contactKey: "k", now: at(0)) } == 2)
        #expect(try store.read { try $0.activeAppointmentCount(contactKey: "k", now: at(100)) } == 1)  // P-1 ended at 75
        #expect(try store.read { try $0.activeAppointmentCount(contactKey: "nobody", now: at(0)) } == 0)
    }

    @Test("purgePersonalData erases name, e-mail and phone of old appointments only, once")
    func purge() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let store = try db.open()
        try store.write { c in
            try c.insertAppointment(makeAppointment("OLD-1", start: -3000, name: "Marie Dupont"), tokenHash: [1], group: nil, contactKey: "k1")
            try c.insertAppointment(makeAppointment("OLD-2", start: -2000, status: .cancelled), tokenHash: [2], group: nil, contactKey: "k2")
            try c.insertAppointment(makeAppointment("NEW-1", start: 60, name: "Zoë Ņ 李"), tokenHash: [3], group: nil, contactKey: "k3")
            try c.insertHold(location: "town-hall", group: nil, start: at(60), end: at(75), channel: .online, until: at(-10))
            try c.insertHold(location: "town-hall", group: nil, start: at(90), end: at(105), channel: .online, until: at(500))
        }
        let cutoff = at(-1000)
        let n = try store.write { try $0.purgePersonalData(endedBefore: cutoff, now: at(0)) }
        #expect(n == 2)
        for ref in ["OLD-1", "OLD-2"] {
            let a = try #require(try store.read { try $0.appointment(reference: ref)?.appointment })
            #expect(a.name.isEmpty)
            #expect(a.email == nil)
            #expect(a.phone == nil)
            #expect(a.items == [.init(service: "eid", persons: 2)], "the rest stays for statistics")
        }
        let kept = try #require(try store.read { try $0.appointment(reference: "NEW-1")?.appointment })
        #expect(kept.name == "Zoë Ņ 李")
        #expect(kept.email == "jan@example.be")
        #expect(kept.phone == "+32 470 12 34 56")
        let raw = try store.read { c in
            try c.query("SELECT reference, contact_key, purged_at FROM appointments ORDER BY reference", table: "appointments").map {
                (try $0.text(0), try $0.optionalText(1), try $0.optionalInt(2))
            }
        }
        #expect(raw.map(\.1) == ["k3", nil, nil])
        #expect(raw.map(\.2) == [nil, Int(at(0).timeIntervalSince1970), Int(at(0).timeIntervalSince1970)])
        #expect(try store.read { try $0.first("SELECT count(*) FROM appointments WHERE name = 'Marie Dupont'", table: "appointments")?.int(0) } == 0)
        // Running it again changes nothing.
        #expect(try store.write { try $0.purgePersonalData(endedBefore: cutoff, now: at(10)) } == 0)
        // Expired holds are gone, with the locations they were at; live ones stay.
        #expect(try store.write { try $0.deleteExpiredHolds(now: at(0)) } == ["town-hall"])
        #expect(try store.read { try $0.holds(location: "town-hall", from: at(0), to: at(1000), now: at(-100)) }.count == 1)
        #expect(try store.write { try $0.deleteExpiredHolds(now: at(10)) }.isEmpty)
    }

    @Test("after a purge and a close the erased name is not left in the database files")
    func purgeLeavesNoBytes() throws {
        let db = TempDatabase()
        defer { db.remove() }
        let secret = "Marie-Dupont-\(UUID().uuidString.prefix(8))"
        do {
            let store = try db.open()
            try store.write { try $0.insertAppointment(makeAppointment("OLD-1", start: -3000, name: secret), tokenHash: [1], group: nil, contactKey: nil) }
            #expect(try store.write { try $0.purgePersonalData(endedBefore: at(-1000), now: at(0)) } == 1)
        }  // closed: the WAL is checkpointed into the main file
        let bytes = db.files.compactMap { FileManager.default.contents(atPath: db.folder + "/" + $0) }
        let found = bytes.contains { firstRange(of: Array(secret.utf8), in: Array($0)) != nil }
        #expect(!bytes.isEmpty)
        #expect(!found, "the purged name is still in a database file")
    }
}

/// The first occurrence of `needle` in `haystack`.
func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    let first = needle[0]
    var i = 0
    while i + needle.count <= haystack.count {
        if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i..<(i + needle.count) }
        i += 1
    }
    return nil
}
