// The three outcomes of an API call as the kiosk cares about them, and the pure rule that maps a
// status and body to one: success (the expected status and a body that decodes), a problem the
// kiosk can explain (4xx), or an outage (no answer, 5xx, or a body that does not decode), which
// puts the kiosk out of service until a retry succeeds.
import Foundation

/// The outcome of one API call.
public enum APIResult<Value: Sendable>: Sendable {
    case success(Value)
    /// A 4xx answer.
    case problem(APIProblem)
    /// The server did not answer usefully: refused, timed out, 5xx or a garbled body.
    case outage

    /// Interprets an HTTP answer: `expected` with a body that decodes to `Value` is success.
    public static func interpret(status: Int, body: [UInt8], expected: Set<Int> = [200], as type: Value.Type) -> APIResult<Value>
    where Value: Decodable {
        if expected.contains(status) {
            guard let value = try? JSONDecoder().decode(Value.self, from: Data(body)) else { return .outage }
            return .success(value)
        }
        if (400...499).contains(status) { return .problem(APIProblem(status: status, body: body)) }
        return .outage
    }
}

extension APIResult: Equatable where Value: Equatable {}
