// Base64url without padding (RFC 4648 section 5), for secrets and tags that travel in paths and
// query strings as they are. Written here because Foundation offers only the padded `+/` alphabet,
// and one is made on every ticket and booking.

/// The base64url encoding.
public enum Base64URL {
    /// `raw` in base64url without padding.
    public static func encode(_ raw: some Collection<UInt8>) -> String {
        let raw = Array(raw)
        var out: [UInt8] = []
        out.reserveCapacity((raw.count * 4 + 2) / 3)
        var i = 0
        while i < raw.count {
            let chunk = raw[i..<min(i + 3, raw.count)]
            let n = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for k in 0...chunk.count { out.append(alphabet[(n >> (18 - 6 * k)) & 63]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
}
