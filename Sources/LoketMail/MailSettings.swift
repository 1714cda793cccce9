// Who mail comes from and where its links point.

/// The sender of citizen mail and the base of the links in it (`mail:` in settings.yaml, `--public-url`).
public struct MailSettings: Sendable, Hashable {
    /// `From`: the municipality's mailbox.
    public var from: MailAddress
    /// `Reply-To`, when answers should go elsewhere than `from`; nil: no Reply-To.
    public var replyTo: MailAddress?
    /// Base of the links in mail, e.g. `https://loket.wilgendaal.be` (a trailing slash is ignored).
    public var publicURL: String

    public init(from: MailAddress, replyTo: MailAddress? = nil, publicURL: String) {
        self.from = from
        self.replyTo = replyTo
        self.publicURL = publicURL
    }

    /// `publicURL` without a trailing slash.
    var base: String {
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The host of `publicURL` (`loket.wilgendaal.be`), for `MailComposer.messageID(host:using:)`;
    /// `localhost` when it has none.
    public var host: String {
        var rest = Substring(publicURL)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            // An IPv6 literal keeps its brackets: `[::1]` is a valid Message-ID right-hand side.
            if let close = rest.firstIndex(of: "]") { rest = rest[...close] }
        } else if let colon = rest.firstIndex(of: ":") {
            rest = rest[..<colon]
        }
        return rest.isEmpty ? "localhost" : rest.lowercased()
    }
}
