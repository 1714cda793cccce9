// The fuzz/parse entry of the request bodies: the fuzz targets (Fuzz/) run in release builds,
// where `@testable` is not available, so this is the one public door to the internal body types.
import LoketCore
import LoketHTTP

/// Runs the request-body decoding on arbitrary bytes, as the handlers do.
public enum ParseEntry {
    /// Every JSON body an API route decodes, by the route that reads it.
    public static let bodies: [String: @Sendable (Request) throws -> Void] = [
        "POST /api/v1/tickets": { _ = try decodeBody($0, as: IssueTicketBody.self) },
        "POST /api/v1/checkins": { _ = try decodeBody($0, as: CheckInBody.self) },
        "POST /api/v1/tickets/{id}/transfer": { _ = try decodeBody($0, as: TransferBody.self) },
        "POST /api/v1/tickets/{id}/finish": { _ = try decodeBody($0, as: FinishBody.self) },
        "POST /api/v1/counters/{id}/pause": { _ = try decodeBody($0, as: PauseBody.self) },
        "POST /api/v1/counters/{id}/call": { _ = try decodeBody($0, as: CallBody.self) },
        "POST /api/v1/counters/{id}/served": { _ = try decodeBody($0, as: ServedBody.self) },
        "POST /api/v1/appointments": { _ = try decodeBody($0, as: BookBody.self) },
        "POST /api/v1/appointments/{reference}/reschedule": { _ = try decodeBody($0, as: RescheduleBody.self) },
        "POST /api/v1/waitlist": { _ = try decodeBody($0, as: JoinWaitlistBody.self) },
        "POST /api/v1/admin/closures": { _ = try decodeBody($0, as: ClosureBody.self) },
        "POST /api/v1/admin/tokens": { _ = try decodeBody($0, as: TokenBody.self) },
    ]

    /// Decodes `body` as every body in ``bodies`` and returns, per route, nil when it was accepted or the
    /// problem it was refused with. An error that is not a `LoketError` is returned as a 500 problem, so a
    /// caller can tell a clean refusal (4xx with a code) from one the server would answer 500.
    public static func decodeBodies(_ body: [UInt8], contentType: String? = "application/json") -> [String: Problem?] {
        var request = Request(method: .POST, path: "/", body: body)
        if let contentType { request.headers["content-type"] = contentType }
        var answers: [String: Problem?] = [:]
        for (route, decode) in bodies {
            do {
                try decode(request)
                answers[route] = .some(nil)
            } catch let error as LoketError {
                answers[route] = error.problem
            } catch {
                answers[route] = Problem(status: 500, code: "internal", detail: "\(type(of: error))")
            }
        }
        return answers
    }
}
