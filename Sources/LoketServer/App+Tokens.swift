// Tokens from the admin page: list (with last use), add (the token is shown once), revoke by name.
//
// The same rules as `loket token add`/`revoke`: a name of 1 to 100 characters, a role kiosk, clerk or
// admin; only the hash is stored; both are audited with the token's name, never the token.
//
// Last use: `authorize` notes each valid token's use in memory (`TokenUse`); the once-a-minute
// housekeeping writes what was noted since its last round (`flushTokenUse`). A request never waits on
// a write for this, and a token is written at most once a minute however busy it is.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

/// When each token hash was last used, since the last flush.
final class TokenUse: Sendable {
    private let pending = LockedBox<[[UInt8]: Date]>([:])

    /// Notes a use of the token with this hash at `at`.
    func note(_ hash: [UInt8], at: Date) {
        pending.withLock { uses in
            if let known = uses[hash], known >= at { return }
            uses[hash] = at
        }
    }

    /// The uses noted since the last take, emptying the list.
    func take() -> [(hash: [UInt8], at: Date)] {
        pending.withLock { uses in
            defer { uses = [:] }
            return uses.map { (hash: $0.key, at: $0.value) }
        }
    }

    /// Puts back uses a failed flush could not write (newer uses noted meanwhile win).
    func restore(_ uses: [(hash: [UInt8], at: Date)]) {
        for use in uses { note(use.hash, at: use.at) }
    }
}

/// `POST /api/v1/admin/tokens`.
struct TokenBody: Decodable {
    var role: Role
    var name: String

    init(from decoder: Decoder) throws {
        var f = try FieldReader(decoder)
        let roleText = f.string("role", maxLength: 20)
        let nameText = f.string("name", maxLength: 100)
        var role = Role.kiosk
        if let roleText {
            if let r = Role(rawValue: roleText) { role = r } else { f.fail("role", "must be kiosk, clerk or admin") }
        }
        // Empty, too long (in code points, as the OpenAPI document's maxLength counts) and control
        // characters are refused by `string`.
        if let nameText, nameText.contains("/") {
            // The name is the revoke path's last segment.
            f.fail("name", "must not contain a slash")
        }
        try f.finish()
        self.role = role
        self.name = nameText ?? ""
    }
}

/// A token in the admin's list: never the token or its hash.
struct TokenDTO: Encodable {
    var name: String
    var role: String
    var createdAt: String
    var lastUsedAt: String?
    var revoked: Bool

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encode(name, forKey: AnyKey("name"))
        try c.encode(role, forKey: AnyKey("role"))
        try c.encode(createdAt, forKey: AnyKey("createdAt"))
        // Always written, null while never used, so the page need not guess.
        try c.encode(lastUsedAt, forKey: AnyKey("lastUsedAt"))
        try c.encode(revoked, forKey: AnyKey("revoked"))
    }
}

/// The answer to a new token: the only time the token is shown.
struct NewTokenDTO: Encodable {
    var token: String
    var name: String
    var role: String
}

/// The answer to a revoke.
struct RevokedDTO: Encodable {
    var name: String
    var revoked: Int
}

extension App {
    static func registerTokenRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/admin/tokens") { app, request in try app.listTokens(request) }
        table.add(.POST, "/api/v1/admin/tokens") { app, request in try app.addToken(request) }
        table.add(.DELETE, "/api/v1/admin/tokens/{name}") { app, request in try app.revokeToken(request) }
    }

    /// `GET /api/v1/admin/tokens`: every token ever made, oldest first.
    private func listTokens(_ request: Request) throws -> Response {
        try authorize(request, [.admin])
        let civil = CivilClock(timeZone: .brussels)
        let list = try store.read { try $0.tokenListing() }
        return try JSONOut.response(list.map {
            TokenDTO(name: $0.name, role: $0.role.rawValue, createdAt: civil.iso8601($0.createdAt),
                     lastUsedAt: $0.lastUsedAt.map(civil.iso8601), revoked: $0.revoked)
        })
    }

    /// `POST /api/v1/admin/tokens` `{"role","name"}`: 201 with the token, shown this once.
    private func addToken(_ request: Request) throws -> Response {
        let who = try authorize(request, [.admin])
        let now = clock.now()
        let body = try decodeBody(request, as: TokenBody.self)
        let token = Secret.random(bytes: 24)
        try write(now: now) { tx in
            try tx.db.insertToken(hash: Secret.hash(token), role: body.role, name: body.name, now: now)
            try tx.db.audit(actor: who.name, action: "token.add", subject: body.name, detail: body.role.rawValue, at: now)
        }
        logger.info("token added", metadata: ["name": "\(body.name)", "role": "\(body.role.rawValue)"])
        return try JSONOut.response(NewTokenDTO(token: token, name: body.name, role: body.role.rawValue), status: 201)
    }

    /// `DELETE /api/v1/admin/tokens/{name}`: revokes every live token with this name; 404 when none.
    private func revokeToken(_ request: Request) throws -> Response {
        let who = try authorize(request, [.admin])
        let now = clock.now()
        let name = request.parameter("name")
        guard !name.isEmpty, name.count <= 100 else { throw LoketError(.notFound, "There is no live token with this name.") }
        let n = try write(now: now) { tx -> Int in
            let n = try tx.db.revokeTokens(name: name, now: now)
            if n > 0 { try tx.db.audit(actor: who.name, action: "token.revoke", subject: name, detail: "\(n)", at: now) }
            return n
        }
        guard n > 0 else { throw LoketError(.notFound, "There is no live token named '\(name.prefix(100))'.") }
        logger.info("token revoked", metadata: ["name": "\(name)", "count": "\(n)"])
        return try JSONOut.response(RevokedDTO(name: name, revoked: n))
    }

    /// Writes the token uses noted since the last flush (the housekeeping round calls this once a minute).
    public func flushTokenUse() {
        let uses = tokenUse.take()
        guard !uses.isEmpty else { return }
        do {
            try store.write { try $0.recordTokenUse(uses) }
        } catch {
            tokenUse.restore(uses)
            logger.warning("token use not written", metadata: ["error": "\(error)"])
        }
    }
}
