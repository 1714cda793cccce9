// What the API needs to know that the config files do not say.
import LoketMail

/// Options for the API that do not come from the config files.
public struct AppOptions: Sendable {
    /// Folder of the web pages (`kiosk/`).
    public var pagesDirectory: String
    /// Peers whose `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String>
    /// Per-client rate limits on the public endpoints (off for load tests, or where the proxy limits).
    public var rateLimits: Bool
    /// Shown by `/api/v1/health`.
    public var version: String
    /// The base of links in mail (`--public-url`); the settings' `publicBaseURL`, else the listening address, when nil.
    public var publicURL: String?
    /// How citizen mail leaves (`--smtp`, `--mail-dir`); nil keeps it in the outbox.
    public var mailTransport: (any MailTransport)?
    /// The key manage tokens are derived from (`Secret.key(at:)`); a fresh one for this process when nil.
    public var manageKey: [UInt8]?
    /// The config folder a reload reads again; nil when the catalogue did not come from one (reload is refused).
    public var configDirectory: String?
    /// The first pause before mail that failed for now is tried again (`--mail-retry-seconds`); it doubles up to an hour.
    public var mailRetrySeconds: Double = 15
    /// Keep encoded availability answers until a change or time makes them stale (`--no-availability-cache` turns it off).
    public var availabilityCache = true

    public init(pagesDirectory: String = "kiosk", trustedProxies: Set<String> = [], rateLimits: Bool = true, version: String = "dev",
                publicURL: String? = nil, mailTransport: (any MailTransport)? = nil, manageKey: [UInt8]? = nil,
                configDirectory: String? = nil) {
        self.pagesDirectory = pagesDirectory
        self.trustedProxies = trustedProxies
        self.rateLimits = rateLimits
        self.version = version
        self.publicURL = publicURL
        self.mailTransport = mailTransport
        self.manageKey = manageKey
        self.configDirectory = configDirectory
    }
}
