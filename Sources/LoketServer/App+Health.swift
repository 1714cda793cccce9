// Health that tells the truth: 200 `ok` while storage writes and mail go out, 503 `degraded`
// with the failing check while they do not, and 200 again once they recover, with no restart.
//
// The checks are kept as they happen (a write that hit a storage fault, the mailer's last
// round), so a healthy answer reads two values and the free space, and writes nothing. Only while
// storage is known to fail does a health request try a write, so that it sees the recovery.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

/// What `/api/v1/health` answers.
struct HealthDTO: Encodable, Equatable {
    var status: String
    var version: String
    var now: String
    var municipality: String
    /// `ok`, or what is wrong, per check: `storage`, `mail`.
    var checks: [String: String]
}

/// What health keeps between requests so that a healthy answer costs little.
struct HealthMemo {
    /// The last answer's values and its encoding.
    var answer: (dto: HealthDTO, body: [UInt8])?
    /// The last free-space reading and when it was taken (uptime, ns).
    var disk: (bytes: Int64?, at: UInt64)?
}

extension App {
    /// The time zone health reports `now` in; made once (a CivilClock builds a Calendar).
    static let healthClock = CivilClock(timeZone: .brussels)

    /// Below this much free space where the database lives, health reports storage as degraded.
    static let lowDiskBytes: Int64 = 1 << 20

    /// Remembers the outcome of a write: a storage fault until a later write succeeds.
    func noteWrite(failure error: (any Error)?) {
        if let e = error as? SQLiteError, e.isStorageFault {
            storageFault.withLock { $0 = "writes fail: \(e.message) (SQLite \(e.extendedCode))" }
        } else if error == nil {
            storageFault.withLock { $0 = nil }
        }
    }

    func health(_ request: Request) throws -> Response {
        if storageFault.withLock({ $0 != nil }) {
            // Known to fail: try a write, so that freed space is seen without waiting for traffic.
            do {
                try store.probeWrite()
                noteWrite(failure: nil)
            } catch {
                noteWrite(failure: error)
            }
        }
        var storage = storageFault.withLock { $0 } ?? "ok"
        // A disk about to fill is trouble before the first write fails.
        if storage == "ok", let free = freeBytes(), free < App.lowDiskBytes {
            storage = "disk nearly full: \(free / 1024) KiB free"
        }
        var checks = ["storage": storage, "mail": mailer.stuck ?? "ok"]
        if options.mailTransport == nil { checks["mail"] = "ok (no transport: mail stays in the outbox)" }
        let ok = checks.values.allSatisfy { $0.hasPrefix("ok") }
        let dto = HealthDTO(status: ok ? "ok" : "degraded", version: options.version,
                            now: App.healthClock.iso8601(clock.now()),
                            municipality: catalogue.settings.municipality.resolve(language(request)), checks: checks)
        return JSONOut.response(bytes: try healthBody(dto), status: ok ? 200 : 503, headers: ok ? [] : [("Retry-After", "30")])
    }

    /// The encoded `dto`: the last answer's bytes when nothing in it changed, which under load is
    /// almost always (`now` has whole seconds). JSONEncoder was a quarter of health's CPU in the profile.
    func healthBody(_ dto: HealthDTO) throws -> [UInt8] {
        if let kept = healthMemo.withLock({ $0.answer }), kept.dto == dto { return kept.body }
        let body = Array(try JSONOut.encoder.encode(dto))
        healthMemo.withLock { $0.answer = (dto, body) }
        return body
    }

    /// Free bytes where the database lives, read at most once a second of real time: the statfs
    /// call was 5% of a health request's CPU under load, and a filling disk takes longer than that.
    func freeBytes() -> Int64? {
        let now = DispatchTime.now().uptimeNanoseconds
        if let disk = healthMemo.withLock({ $0.disk }), now &- disk.at < 1_000_000_000 { return disk.bytes }
        let bytes = store.freeBytes()
        healthMemo.withLock { $0.disk = (bytes, now) }
        return bytes
    }
}
