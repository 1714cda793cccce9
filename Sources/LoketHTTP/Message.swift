// Requests and responses as the rest of Loket sees them: plain values, no C pointers.
//
// A `Request` is assembled by `HTTPServer` once the whole body has arrived; a `Response`
// is either bytes (copied into libmicrohttpd) or the description of an event stream, which
// `HTTPServer` opens through `EventHub` after the handler has returned.
import Foundation

/// The HTTP methods Loket routes; `HTTPServer` answers any other method 501 before routing.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    // TRACE (RFC 9110) and QUERY (the safe method with a body) are routed too, though no route takes
    // them, so a path that exists answers 405 with Allow, as contract testers expect, instead of 501.
    case GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, QUERY
}

/// One HTTP request, fully read.
public struct Request: Sendable {
    /// The method; HEAD is routed as GET (libmicrohttpd leaves the body out).
    public var method: HTTPMethod
    /// The decoded path without the query, e.g. `/api/v1/tickets/abc`.
    public var path: String
    /// Query arguments (first value wins when a name repeats).
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    /// The body as received; empty when there is none.
    public var body: [UInt8]
    /// The peer's IP address as text.
    public var peerAddress: String
    /// Short id sent with 5xx answers and written in the log line.
    public var requestID: String
    /// Path parameters filled by the router, e.g. `["reference": "K7M-3QX"]`.
    public var parameters: [String: String] = [:]

    public init(method: HTTPMethod, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: [UInt8] = [], peerAddress: String = "127.0.0.1", requestID: String = "-") {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.peerAddress = peerAddress
        self.requestID = requestID
    }

    /// A header by case-insensitive name.
    public func header(_ name: String) -> String? {
        // Callers mostly ask in lower case already: then the name is the key as it is, with no new
        // string per lookup (`lowercased()` was one on every request that reads Accept-Language).
        // Looked up first, as it is: the check of the name's bytes ran on every lookup (0.75% of a
        // health request in the profile), and is now only made when the name is not a key as it is.
        if let value = headers[name] { return value }
        if name.utf8.allSatisfy({ $0 < 0x80 && !(0x41...0x5A).contains($0) }) { return nil }
        return headers[name.lowercased()]
    }

    /// A path parameter the route declared; "" when absent (routes only ask for their own).
    public func parameter(_ name: String) -> String { parameters[name] ?? "" }
}

/// What the handler answers.
public struct Response: Sendable {
    /// The content of an answer.
    public enum Body: Sendable {
        /// A complete body, copied into libmicrohttpd.
        case bytes([UInt8])
        /// A Server-Sent Events stream: the server opens it in its `EventHub`, replays what the client
        /// missed, and keeps the connection open until the client or the hub ends it.
        case events(EventStreamRequest)
    }

    /// The status code, e.g. 200.
    public var status: Int { didSet { forget() } }
    /// Response headers in order; a name may repeat.
    public var headers: [(String, String)] { didSet { forget() } }
    /// The content, or the event stream to open.
    public var body: Body { didSet { forget() } }
    /// Set by `kept()`: where the server keeps this answer in libmicrohttpd's form. Any change to the
    /// status, headers or body drops it, so it never answers for a value other than its own.
    public private(set) var prepared: PreparedAnswer?
    /// Set when the server may give this answer again without the handler (see `replayable`); like
    /// `prepared`, dropped by any change of the answer.
    public var replay: Replay?

    /// A changed answer is no longer the one kept or vouched for.
    private mutating func forget() {
        prepared = nil
        replay = nil
    }

    /// A response with any body.
    public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A body with a content type.
    public init(status: Int = 200, contentType: String, bytes: [UInt8], headers: [(String, String)] = []) {
        self.init(status: status, headers: [("Content-Type", contentType)] + headers, body: .bytes(bytes))
    }

    /// A UTF-8 text body.
    public init(status: Int = 200, contentType: String, text: String, headers: [(String, String)] = []) {
        self.init(status: status, contentType: contentType, bytes: Array(text.utf8), headers: headers)
    }

    /// `204 No Content`.
    public static let noContent = Response(status: 204)

    /// This answer, marked as one that is kept and answered again as it is (a cached answer): the
    /// server builds its libmicrohttpd response once and queues that same response every time.
    public func kept() -> Response {
        var kept = self
        kept.prepared = PreparedAnswer()
        return kept
    }

    /// The value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.same($0.0, name) }?.1
    }
}

/// An error that knows how it is answered: thrown from a handler, it becomes a problem response.
///
/// Conformers map each case to a status in one place, so no error leaves without one.
public protocol ProblemConvertible: Error {
    /// The answer for this error.
    var problem: Problem { get }
}

/// RFC 9457 problem details (`application/problem+json`).
public struct Problem: Error, Sendable, ProblemConvertible {
    /// The HTTP status it is answered with.
    public var status: Int
    /// A short summary, by default the status's reason phrase.
    public var title: String
    /// What went wrong and what to do about it, for a person.
    public var detail: String
    /// Machine-readable reason, e.g. `slot_unavailable`.
    public var code: String
    /// Further members, e.g. `fields` (JSON object of field -> message) or `nextOpening`.
    public var extra: [String: ProblemValue]
    /// Extra response headers, e.g. `Retry-After` or `Allow`.
    public var headers: [(String, String)]

    /// A problem; `title` defaults to the status's reason phrase.
    public init(status: Int, code: String, title: String? = nil, detail: String,
                extra: [String: ProblemValue] = [:], headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.title = title ?? Problem.reasonPhrase(status)
        self.detail = detail
        self.extra = extra
        self.headers = headers
    }

    /// The problem itself.
    public var problem: Problem { self }

    /// The response for this problem; `requestID` is added for 5xx answers.
    public func response(requestID: String? = nil) -> Response {
        var members: [String: Any] = [
            "type": "about:blank", "status": status, "title": title, "detail": detail, "code": code,
        ]
        for (k, v) in extra { members[k] = v.json }
        if let requestID { members["requestId"] = requestID }
        let data = (try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, contentType: "application/problem+json", bytes: Array(data), headers: headers)
    }

    /// The standard reason phrase of a status (RFC 9110), e.g. `Not Found`.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        default: return "HTTP \(status)"
        }
    }
}

// The problems the HTTP layer itself answers, so that their status and `code` are written once.
extension Problem {
    /// 404 `not_found`: no route matches the path.
    public static func notFound(detail: String = "There is nothing at this address.") -> Problem {
        Problem(status: 404, code: "not_found", detail: detail)
    }

    /// 405 `method_not_allowed` with `Allow`: the path exists under other methods.
    ///
    /// - Parameter allowed: the methods the path answers; `Allow` lists them in alphabetical order.
    public static func methodNotAllowed(_ method: HTTPMethod, allowed: Set<HTTPMethod>) -> Problem {
        let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return Problem(status: 405, code: "method_not_allowed",
                       detail: "\(method.rawValue) is not allowed here; use \(allow).", headers: [("Allow", allow)])
    }

    /// 501 `not_implemented`: a method this server does not know, for any path (RFC 9110 §15.6.2).
    public static func notImplemented(method: String) -> Problem {
        Problem(status: 501, code: "not_implemented",
                detail: "This server does not implement the method \(method.prefix(32)); it knows \(HTTPMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
}

/// A JSON value that may sit in a problem's extra members.
public enum ProblemValue: Sendable {
    /// A JSON string.
    case string(String)
    /// A JSON number.
    case int(Int)
    /// A JSON object of strings, e.g. `fields`.
    case object([String: String])
    /// A JSON array, e.g. the `affected` appointments of a closure.
    indirect case array([ProblemValue])
    /// A JSON object of any values.
    indirect case members([String: ProblemValue])

    var json: Any {
        switch self {
        case .string(let s): return s
        case .int(let i): return i
        case .object(let o): return o
        case .array(let a): return a.map(\.json)
        case .members(let m): return m.mapValues(\.json)
        }
    }
}
