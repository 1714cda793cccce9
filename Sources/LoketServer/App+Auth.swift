// Who is asking: bearer tokens and roles, the client's address behind a proxy, and rate limits.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

extension App {
    /// Who is calling, checked against `roles` (admin may do everything).
    ///
    /// - Throws: `unauthorized` without a valid token, `forbidden` with the wrong role.
    @discardableResult
    func authorize(_ request: Request, _ roles: Set<Role>) throws -> TokenRecord {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("bearer "),
              case let token = App.trimmedToken(header.dropFirst(7)), !token.isEmpty, token.count < 200 else {
            throw LoketError(.unauthorized, "Sign in: this needs a bearer token.")
        }
        // The token itself is never compared: its SHA-256 is looked up, and the caller cannot steer the
        // hash's bytes, so the lookup's timing says nothing about a valid token (manage and waitlist
        // tokens, found by reference, go through `constantTimeEqual`).
        let hash = Secret.hash(token)
        guard let record = try store.read({ try $0.token(hash: hash) }), !record.revoked else {
            throw LoketError(.unauthorized, "This token is not valid (unknown or revoked).")
        }
        guard record.role == .admin || roles.contains(record.role) else {
            throw LoketError(.forbidden, "A \(record.role.rawValue) token may not do this.")
        }
        tokenUse.note(hash, at: clock.now())
        return record
    }

    /// The token after `Bearer `, without surrounding whitespace. A token that starts and ends with a
    /// visible ASCII character (every token Loket makes) is taken as is: Foundation's trimming was a
    /// third of `authorize` in the ticket profile.
    static func trimmedToken(_ text: Substring) -> String {
        if let first = text.utf8.first, let last = text.utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return String(text)
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Whether the request carries a valid token of one of `roles` (without failing when it does not).
    func isStaff(_ request: Request, _ roles: Set<Role> = [.clerk]) -> Bool {
        request.header("authorization") != nil && (try? authorize(request, roles)) != nil
    }

    /// The client's address, taking `X-Forwarded-For` only from trusted proxies.
    func clientAddress(_ request: Request) -> String {
        if options.trustedProxies.contains(request.peerAddress), let forwarded = request.header("x-forwarded-for"),
           let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty {
            return last
        }
        return request.peerAddress
    }

    /// Applies the per-client limit for public endpoints.
    ///
    /// - Throws: `rate_limited` with `retryAfter`.
    func limitRate(_ request: Request, cost: Int = 1, now: Date) throws {
        if let retry = limiter.take(client: clientAddress(request), cost: cost, now: now) {
            throw LoketError(.rateLimited, "Too many requests from your address; try again in \(retry) seconds.",
                             extra: ["retryAfter": "\(retry)"])
        }
    }
}
