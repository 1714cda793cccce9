// Secrets: manage tokens, bearer tokens and ticket ids. Random bytes written as base64url
// without padding, so they travel in paths and query strings as they are; a ticket id starts
// with its issuing time, so new ids are appended to the tickets index rather than scattered in it.
import Crypto
import Foundation
import LoketCore
import LoketHTTP

/// Making and hashing secrets.
public enum Secret {
    /// `bytes` bytes from `generator`, as base64url without padding.
    public static func random<G: RandomNumberGenerator>(bytes: Int, using generator: inout G) -> String {
        Base64URL.encode((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// `bytes` bytes from the system's secure generator, as base64url without padding.
    public static func random(bytes: Int = 24) -> String {
        // Eight bytes from each draw of the system generator (one getrandom call), not one.
        var g = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(bytes + 7)
        while out.count < bytes { withUnsafeBytes(of: g.next() as UInt64) { out.append(contentsOf: $0) } }
        return Base64URL.encode(out.prefix(bytes))
    }

    /// A new ticket id: the issuing millisecond in 7 characters that sort as the time does, then 12
    /// random bytes (16 characters of base64url), so the id stays as unguessable as before.
    ///
    /// The id is the tickets table's primary key. Drawn wholly at random, every new ticket landed on
    /// a random leaf of that index: a batch of 26 tickets dirtied some 26 index pages, written to
    /// the log at its commit (about half of the log's bytes in a ticket benchmark), and with a year
    /// of history the index no longer stays in the cache. A time-ordered prefix puts every new id at
    /// the index's right edge, where one page takes a whole batch. The time it shows is the ticket's
    /// own `issuedAt`, which its status page shows anyway.
    public static func ticketID(now: Date) -> String {
        ticketIDPrefix(now) + random(bytes: 12)
    }

    /// Base64url's 64 characters in ASCII order, so that a prefix written with them sorts (SQLite's
    /// BINARY collation) as its number does.
    static let sortedAlphabet = Array("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8)

    /// Milliseconds since 1970, 42 bits (until the year 2109) in 7 characters of `sortedAlphabet`.
    static func ticketIDPrefix(_ now: Date) -> String {
        var v = UInt64(max(0, (now.timeIntervalSince1970 * 1000).rounded(.down)))
        var out = [UInt8](repeating: 0, count: 7)
        for i in (0..<7).reversed() {
            out[i] = sortedAlphabet[Int(v & 63)]
            v >>= 6
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// SHA-256 of a token or secret; only hashes are stored.
    public static func hash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }

    /// The manage token of appointment `reference`: HMAC-SHA256 under the installation's `key`, so the
    /// server can put it in a reminder long after booking while the database stores only its hash.
    public static func manageToken(reference: String, key: [UInt8]) -> String {
        var mac = preparedHMAC(key)
        mac.update(data: Array(reference.utf8))
        return Base64URL.encode(Array(mac.finalize()).prefix(24))
    }

    /// The HMAC of `key` before any message: its two padded key blocks already hashed. Keyed anew for
    /// each token, `SymmetricKey`, the key blocks and their two SHA-256 blocks were most of a
    /// token's cost (2.5% of a booking). One installation has one key, so the last one is kept;
    /// `HMAC` is a value (its hash states copy on write), so every caller gets its own copy.
    /// SecretTests compares the tokens with `HMAC.authenticationCode` under changing keys.
    static func preparedHMAC(_ key: [UInt8]) -> HMAC<SHA256> {
        if let kept = lastHMAC.withLock({ $0 }), kept.key == key { return kept.mac }
        let mac = HMAC<SHA256>(key: SymmetricKey(data: key))
        lastHMAC.withLock { $0 = (key, mac) }
        return mac
    }

    private static let lastHMAC = LockedBox<(key: [UInt8], mac: HMAC<SHA256>)?>(nil)

    /// The key manage tokens are derived from, kept in the file at `path` (mode 0600), made the first
    /// time. Outside the database, so a copy of the database alone (a backup) cannot make tokens.
    ///
    /// - Throws: when the file cannot be read or written, or does not hold a 32-byte key.
    public static func key(at path: String) throws -> [UInt8] {
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else { throw KeyFileError(path: path, problem: "does not hold a 32-byte key") }
            return Array(data)
        }
        var g = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        let temporary = path + ".new-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(key), attributes: [.posixPermissions: 0o600]),
              rename(temporary, path) == 0 else {
            throw KeyFileError(path: path, problem: "cannot be written")
        }
        return key
    }

    /// A key file that cannot be used.
    public struct KeyFileError: Error, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var description: String { "the key file \(path) \(problem)" }
    }

    /// A room name for a video call: 20 letters and digits (about 119 bits), safe in any video service's URL.
    public static func roomName<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let symbols = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return "loket-" + String((0..<20).map { _ in symbols[Int.random(in: 0..<symbols.count, using: &generator)] })
    }
}
