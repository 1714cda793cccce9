// Temp database files for the store tests; each test gets its own folder and removes it.
import Foundation
import Logging
import LoketCore
@testable import LoketStore

/// A fresh folder with a database path inside; `remove()` deletes the folder.
struct TempDatabase {
    let folder: String
    let path: String

    init() {
        folder = NSTemporaryDirectory() + "loket-store-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        path = folder + "/loket.sqlite"
    }

    func open(readers: Int = 4) throws -> Store { try Store(path: path, readers: readers, logger: quietLogger) }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Files in the folder, sorted.
    var files: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() }
}

/// A logger that drops everything (the store logs each migration).
let quietLogger = Logger(label: "loket.store.test", factory: { _ in SwiftLogNoOpLogHandler() })

/// 2026-12-01 08:00 UTC (a Tuesday), the pinned "now" of the store tests.
let baseTime = Date(timeIntervalSince1970: 1_796_112_000)

/// `minutes` after `baseTime`.
func at(_ minutes: Int) -> Date { baseTime.addingTimeInterval(Double(minutes) * 60) }

/// An appointment with sensible defaults.
func makeAppointment(_ reference: String, location: String = "town-hall", start: Int = 60, minutes: Int = 15,
                     status: AppointmentStatus = .booked, name: String = "Jan Peeters", email: String? = "jan@example.be",
                     phone: String? = "+32 470 12 34 56") -> Appointment {
    Appointment(reference: reference, location: location, items: [.init(service: "eid", persons: 2)],
                start: at(start), end: at(start + minutes), status: status, name: name, email: email, phone: phone,
                language: .fr, channel: .online, createdAt: at(0))
}

/// A waiting walk-in ticket.
func makeTicket(_ id: String, location: String = "town-hall", day: CivilDate = CivilDate(year: 2026, month: 12, day: 1)!,
                number: String = "A001", service: String = "eid") -> Ticket {
    Ticket(id: id, location: location, day: day, number: number, service: service, origin: .walkin,
           issuedAt: at(0), waitingSince: at(0))
}

/// A value shared between test threads, behind a lock.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `stored` is only touched inside `lock`.
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&stored)
    }

    var value: Value { withLock { $0 } }
}

/// Runs `body(thread)` on `count` threads at once and waits for all (at most `timeout` seconds).
/// Returns false if they did not finish in time.
func onThreads(_ count: Int, timeout: Double = 60, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        Thread.detachNewThread {
            body(i)
            group.leave()
        }
    }
    return group.wait(timeout: .now() + timeout) == .success
}

extension Connection {
    /// The next number of the day's sequence, the way the queue's use cases take one: read the
    /// last (`lastTicketSequence`), then write it one higher (`Change.ticketSequence`).
    func nextTicketSequence(location: String, day: CivilDate, prefix: String) throws -> Int {
        let next = try lastTicketSequence(location: location, day: day, prefix: prefix) + 1
        try apply([.ticketSequence(location: location, day: day, prefix: prefix, last: next)], now: baseTime)
        return next
    }
}
