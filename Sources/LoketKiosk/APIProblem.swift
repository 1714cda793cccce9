// An RFC 9457 problem answer (`application/problem+json`): status, code and the extra facts the
// kiosk explains to people (`nextOpening`, `checkInOpens`, `appointmentStart`, ...).
import Foundation

/// A 4xx answer of the API, reduced to what the kiosk uses.
public struct APIProblem: Equatable, Sendable {
    /// HTTP status, 400-499.
    public var status: Int
    /// Machine-readable reason, e.g. `service_closed`; empty when the body had none.
    public var code: String
    /// The server's sentence for people (English); shown to no visitor, logged only.
    public var detail: String
    /// Extra string members of the problem object, e.g. `nextOpening`.
    public var extra: [String: String]

    /// A problem from its parts.
    public init(status: Int, code: String = "", detail: String = "", extra: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra
    }

    /// Reads a problem body; a body that is not a JSON object still gives the status.
    public init(status: Int, body: [UInt8]) {
        self.init(status: status)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return }
        for (key, value) in object {
            switch value {
            case let s as String: extra[key] = s
            case let n as NSNumber where key != "status": extra[key] = n.stringValue
            default: break
            }
        }
        code = extra.removeValue(forKey: "code") ?? ""
        detail = extra.removeValue(forKey: "detail") ?? ""
        extra.removeValue(forKey: "title")
        extra.removeValue(forKey: "type")
    }

    /// The first of `keys` present in ``extra``.
    public func value(_ keys: String...) -> String? {
        for key in keys { if let v = extra[key], !v.isEmpty { return v } }
        return nil
    }
}
