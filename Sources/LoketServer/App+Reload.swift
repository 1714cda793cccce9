// Config reload without a restart: `POST /api/v1/admin/reload`, `loket reload` and SIGHUP.
//
// The config directory is read and checked off to the side. A config with problems is refused
// with every problem's file, line and column, and the config in force keeps serving. A good one
// is swapped in whole (`Office`): catalogue, calendars, counters, search index and cached JSON.
// Open connections and display streams are not touched. The answer lists the booked appointments
// the new rules no longer fit, so an admin sees them before citizens do.
import Foundation
import LoketConfig
import LoketCore
import LoketHTTP
import LoketStore
import Synchronization

/// A booked appointment the config in force no longer fits, and why.
public struct OrphanDTO: Encodable, Equatable, Sendable {
    public var reference: String
    public var location: String
    public var service: String
    public var persons: Int
    public var start: String
    public var end: String
    /// `location_gone`, `service_gone`, `not_offered` (no longer by appointment here) or `capacity`.
    public var reason: String
}

/// What a reload did.
public struct ReloadDTO: Encodable, Sendable {
    public var reloadedAt: String
    public var locations: Int
    public var services: Int
    public var counters: Int
    public var orphaned: [OrphanDTO]
}

/// A refused reload: every config problem, as a 422 `invalid_config` problem with `errors`.
public struct ConfigRefused: Error, ProblemConvertible {
    public var issues: [ConfigIssue]

    public var problem: Problem {
        let errors: [ProblemValue] = issues.map {
            .members(["file": .string($0.file), "line": .int($0.line), "column": .int($0.column), "message": .string($0.message)])
        }
        return Problem(status: 422, code: LoketError.Code.invalidConfig.rawValue,
                       detail: "The config has \(issues.count) problem\(issues.count == 1 ? "" : "s"); the config in force keeps serving.",
                       extra: ["errors": .array(errors)])
    }
}

extension App {
    /// Puts `next` in force; the answers made from the config before it stop being replayed.
    /// The office first, then the generation: an answer that read the generation before the swap
    /// was made from either config and is never replayed after it (see `Generations`).
    func putInForce(_ next: Office) {
        office.withLock { $0 = next }
        generations.config.add(1, ordering: .releasing)
    }

    static func registerReloadRoutes(_ table: inout RouteTable<App>) {
        table.add(.POST, "/api/v1/admin/reload") { app, request in
            let token = try app.authorize(request, [.admin])
            return try JSONOut.response(try app.reload(by: token.name))
        }
    }

    /// Re-reads the config directory and swaps it in when it is valid.
    ///
    /// - Throws: `reload_running` while another reload runs; `ConfigRefused` with every problem;
    ///   `invalid_config` when the server was started without a config directory.
    public func reload(by actor: String) throws -> ReloadDTO {
        guard let directory = options.configDirectory else {
            throw LoketError(.invalidConfig, "This server was started without a config directory to reload from.")
        }
        guard reloading.withLock({ running in
            if running { return false }
            running = true
            return true
        }) else { throw LoketError(.reloadRunning, "Another reload is running.") }
        defer { reloading.withLock { $0 = false } }

        let catalogue: Catalogue
        do {
            catalogue = try ConfigLoader.load(directory: directory)
        } catch let error as ConfigError {
            logger.warning("reload refused: \(error.issues.count) config problems; the config in force keeps serving")
            throw ConfigRefused(issues: error.issues)
        }
        let next = Office(catalogue)
        // The swap and the audit line happen inside one write, so no booking decides on the old rules
        // after the new ones are in force.
        // When the write fails (storage), the old config is put back: nothing changed.
        let now = clock.now()
        let previous = office.withLock { $0 }
        let orphans: [OrphanDTO]
        do {
            orphans = try write(now: now) { tx -> [OrphanDTO] in
                putInForce(next)
                mailer.use(catalogue)
                limiter.allow(perMinute: catalogue.settings.rateLimitPerMinute)
                do {
                    let orphans = try tx.apply(OfficeDesk(catalogue: catalogue).reload(by: actor, now: now, reading: tx.db))
                    return orphans.map { orphanDTO($0, catalogue: catalogue) }
                } catch {
                    // Put back before this write's savepoint is rolled back: the next writes of its
                    // batch (group commit) run right after it and must not decide on rules not in force.
                    putInForce(previous)
                    throw error
                }
            }
        } catch {
            putInForce(previous)
            mailer.use(previous.catalogue)
            limiter.allow(perMinute: previous.catalogue.settings.rateLimitPerMinute)
            throw error
        }
        // More desks or longer hours may have freed capacity for people on the waitlist.
        wakeWaitlist()
        logger.notice("config reloaded by \(actor): \(catalogue.services.count) services, \(orphans.count) appointments no longer fit")
        return ReloadDTO(reloadedAt: CivilClock(timeZone: .brussels).iso8601(now), locations: catalogue.locations.count,
                         services: catalogue.services.count, counters: catalogue.counters.count, orphaned: orphans)
    }

    func orphanDTO(_ o: Orphan, catalogue: Catalogue) -> OrphanDTO {
        let a = o.appointment
        let civil = CivilClock(timeZone: catalogue.location(a.location)?.timeZone ?? .brussels)
        return OrphanDTO(reference: a.reference, location: a.location, service: a.items.first?.service ?? "",
                         persons: a.items.first?.persons ?? 1, start: civil.iso8601(a.start), end: civil.iso8601(a.end),
                         reason: o.reason.rawValue)
    }
}
