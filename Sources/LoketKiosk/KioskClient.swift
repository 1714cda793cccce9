// The kiosk API over HTTP: the location and its walk-in services (public), walk-in tickets and
// check-ins (with the kiosk's bearer token). Every answer is reduced to an ``APIResult`` by
// ``APIResult/interpret(status:body:expected:as:)``; a refused connection or a time-out is an outage.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LoketCore

/// Talks to a Loket server for one kiosk.
public final class KioskClient: Sendable {
    /// Base URL without a trailing slash.
    public let server: String
    private let session: URLSession
    private let token: @Sendable () -> String?

    /// A client for `server` (e.g. `http://127.0.0.1:8080`); `token` is asked for on each ticket request.
    public init(server: String, timeout: TimeInterval = 8, token: @escaping @Sendable () -> String?) {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        self.server = base
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 2
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        self.session = URLSession(configuration: configuration)
    }

    /// Whether `server` is an http(s) URL with a host.
    public static func isValidServer(_ server: String) -> Bool {
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else { return false }
        return true
    }

    /// The location and its walk-in services in `language`; both must arrive for a success.
    public func loadCatalogue(location: String, language: Language,
                              completion: @escaping @Sendable (APIResult<CatalogueSnapshot>) -> Void) {
        let lang = language.rawValue
        let id = Self.pathSegment(location)
        send("GET", "/api/v1/locations/\(id)?lang=\(lang)", body: nil, authorized: false) { [self] status, body in
            let place = APIResult.interpret(status: status, body: body, as: LocationInfo.self)
            guard case let .success(info) = place else {
                completion(Self.failure(place))
                return
            }
            let query = "location=\(id)&channel=walkin&lang=\(lang)"
            send("GET", "/api/v1/services?\(query)", body: nil, authorized: false) { status, body in
                switch APIResult.interpret(status: status, body: body, as: [ServiceEntry].self) {
                case let .success(services): completion(.success(CatalogueSnapshot(location: info, services: services)))
                case let .problem(p): completion(.problem(p))
                case .outage: completion(.outage)
                }
            }
        }
    }

    /// Asks for a walk-in ticket or checks in; success only on 201 with a ticket body.
    public func requestTicket(_ request: TicketRequest, location: String, language: Language,
                              completion: @escaping @Sendable (APIResult<IssuedTicket>) -> Void) {
        let path: String
        let body: [String: String]
        switch request {
        case let .walkIn(service):
            path = "/api/v1/tickets"
            body = ["location": location, "service": service, "lang": language.rawValue]
        case let .checkIn(reference):
            path = "/api/v1/checkins"
            body = ["reference": reference, "location": location, "lang": language.rawValue]
        }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        send("POST", path, body: data, authorized: true) { status, bytes in
            completion(APIResult.interpret(status: status, body: bytes, expected: [201], as: IssuedTicket.self))
        }
    }

    /// Sends one request; `status` 0 means no answer at all.
    private func send(_ method: String, _ path: String, body: Data?, authorized: Bool,
                      completion: @escaping @Sendable (_ status: Int, _ body: [UInt8]) -> Void) {
        guard let url = URL(string: server + path) else {
            completion(0, [])
            return
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if authorized, let token = token() {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let task = session.dataTask(with: request) { data, response, error in
            guard error == nil, let http = response as? HTTPURLResponse else {
                completion(0, [])
                return
            }
            completion(http.statusCode, data.map { Array($0) } ?? [])
        }
        task.resume()
    }

    private static func failure<T>(_ result: APIResult<T>) -> APIResult<CatalogueSnapshot> {
        switch result {
        case let .problem(p): return .problem(p)
        case .success, .outage: return .outage
        }
    }

    /// `text` percent-encoded for use as one path segment or query value.
    static func pathSegment(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
