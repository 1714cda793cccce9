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
import Synchronization

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
    /// The last answer, whole, and what it was made from.
    var answer: (inputs: HealthInputs, response: Response)?
    /// The last free-space reading and when it was taken (uptime, ns).
    var disk: (bytes: Int64?, at: UInt64)?
}

/// Everything a health answer is made from: the same inputs give the same answer, byte for byte.
struct HealthInputs {
    /// The config in force (its municipality's name); compared by identity, kept alive by the memo.
    var office: Office
    var language: Language
    /// The clock's whole second since 1970: `now` is written in whole seconds (`CivilClock.iso8601` rounds down).
    var second: Double
    var storage: String
    var mail: String

    func same(as other: HealthInputs) -> Bool {
        office === other.office && language == other.language && second == other.second
            && storage == other.storage && mail == other.mail
    }
}

extension App {
    /// The time zone health reports `now` in; made once (a CivilClock builds a Calendar).
    static let healthClock = CivilClock(timeZone: .brussels)

    /// Below this much free space where the database lives, health reports storage as degraded.
    static let lowDiskBytes: Int64 = 1 << 20

    /// Remembers the outcome of a write: a storage fault until a later write succeeds.
    func noteWrite(failure error: (any Error)?) {
        let next: String?
        if let e = error as? SQLiteError, e.isStorageFault {
            next = "writes fail: \(e.message) (SQLite \(e.extendedCode))"
        } else if error == nil {
            next = nil
        } else {
            return
        }
        let changed = storageFault.withLock { fault in
            defer { fault = next }
            return fault != next
        }
        // After the change, so a health answer made before it is never replayed after it.
        if changed { generations.fault.add(1, ordering: .releasing) }
    }

    func health(_ request: Request) throws -> Response {
        // Read first: whatever changes after this is not in the answer, so its replays stop there.
        let generation = generations.read()
        // One read of the fault while healthy (each lock showed in the profile); a second after a probe.
        var fault = storageFault.withLock { $0 }
        if fault != nil {
            // Known to fail: try a write, so that freed space is seen without waiting for traffic.
            do {
                try store.probeWrite()
                noteWrite(failure: nil)
            } catch {
                noteWrite(failure: error)
            }
            fault = storageFault.withLock { $0 }
        }
        // The memo read once, under one lock: the free-space reading and the kept answer were two.
        let memo = healthMemo.withLock { $0 }
        var storage = fault ?? "ok"
        // A disk about to fill is trouble before the first write fails.
        if storage == "ok", let free = freeBytes(memo: memo.disk), free < App.lowDiskBytes {
            storage = "disk nearly full: \(free / 1024) KiB free"
        }
        // Without a transport the mailer's state cannot change the answer, so its lock is not taken.
        let mail = mailTransportMissing ? "ok (no transport: mail stays in the outbox)" : mailer.stuck ?? "ok"
        let now = clock.now()
        let inputs = HealthInputs(office: office.withLock { $0 }, language: language(request),
                                  second: now.timeIntervalSince1970.rounded(.down), storage: storage, mail: mail)
        // Under load nearly every request finds the answer it would build already built: the DTO, its
        // dictionary, the date text, the encoding and the response's header list were most of health's
        // CPU in the profile, and a few string compares tell that nothing changed.
        let response: Response
        if let kept = memo.answer, kept.inputs.same(as: inputs) {
            response = kept.response
        } else {
            response = try healthResponse(inputs, now: now)
            healthMemo.withLock { $0.answer = (inputs, response) }
        }
        guard response.status == 200 else { return response }
        return response.replayable(varyingOn: ["accept-language"], while: healthHolds(inputs, since: generation))
    }

    /// Whether a healthy answer made from `inputs` is still what health would say: the same config
    /// and no change of the storage fault since `generation`, the same second on the clock, the
    /// mail in the same state, and for at most a second of real time (health reads the free space
    /// at most once a second, so a filling disk shows within two). Cheap enough to ask before every
    /// replay: two atomic loads and two clock reads, and the mailer's lock only with a transport.
    /// It captures what it reads, not the app.
    func healthHolds(_ inputs: HealthInputs, since generation: Generations.Reading) -> @Sendable () -> Bool {
        let second = inputs.second, mail = inputs.mail
        let until = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
        let generations = generations, clock = clock, mailer = mailTransportMissing ? nil : mailer
        return {
            guard generations.unchanged(since: generation), DispatchTime.now().uptimeNanoseconds < until else { return false }
            let now = clock.now().timeIntervalSince1970
            guard now >= second, now < second + 1 else { return false }
            return mailer.map { ($0.stuck ?? "ok") == mail } ?? true
        }
    }

    /// The health answer for `inputs`, built and encoded afresh.
    func healthResponse(_ inputs: HealthInputs, now: Date) throws -> Response {
        let checks = ["storage": inputs.storage, "mail": inputs.mail]
        let ok = checks.values.allSatisfy { $0.hasPrefix("ok") }
        let dto = HealthDTO(status: ok ? "ok" : "degraded", version: options.version,
                            now: App.healthClock.iso8601(now),
                            municipality: inputs.office.catalogue.settings.municipality.resolve(inputs.language), checks: checks)
        let body = Array(try JSONOut.encoder.encode(dto))
        return JSONOut.response(bytes: body, status: ok ? 200 : 503, headers: ok ? [] : [("Retry-After", "30")]).kept()
    }

    /// Free bytes where the database lives, read at most once a second of real time: the statfs
    /// call was 5% of a health request's CPU under load, and a filling disk takes longer than that.
    /// `memo` is the reading health already took from the memo.
    func freeBytes(memo: (bytes: Int64?, at: UInt64)?) -> Int64? {
        let now = DispatchTime.now().uptimeNanoseconds
        if let disk = memo, now &- disk.at < 1_000_000_000 { return disk.bytes }
        let bytes = store.freeBytes()
        healthMemo.withLock { $0.disk = (bytes, now) }
        return bytes
    }
}
