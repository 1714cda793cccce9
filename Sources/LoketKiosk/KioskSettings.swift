// The kiosk's fixed settings, from the command line.
import LoketCore

/// How one kiosk is set up.
public struct KioskSettings: Equatable, Sendable {
    /// Base URL of the Loket server, e.g. `http://127.0.0.1:8080` (no trailing slash needed).
    public var server: String
    /// Location id, e.g. `stadhuis`.
    public var location: String
    /// The language the kiosk starts in and returns to after each visitor.
    public var language: Language
    /// Seconds a ticket or message stays on screen before the start screen returns.
    public var resetSeconds: Double
    /// Seconds between refreshes of the open services while all is well.
    public var refreshSeconds: Double
    /// Seconds without a key after which a half-typed start screen is cleared.
    public var idleSeconds: Double
    /// Whether a printer is configured (``KioskEffect/print(_:ticketID:)`` is asked for).
    public var hasPrinter: Bool
    /// Two Ctrl-C within this many seconds quit the kiosk; one goes back to the start.
    public var quitWindow: Double
    /// Keys in the first this many seconds of a ticket screen are ignored (a bouncing Enter).
    public var keyGuardSeconds: Double

    /// Settings with the defaults of `loket kiosk`.
    public init(server: String, location: String, language: Language = .nl, resetSeconds: Double = 15,
                refreshSeconds: Double = 30, idleSeconds: Double = 60, hasPrinter: Bool = false,
                quitWindow: Double = 2, keyGuardSeconds: Double = 1) {
        self.server = server
        self.location = location
        self.language = language
        self.resetSeconds = resetSeconds
        self.refreshSeconds = refreshSeconds
        self.idleSeconds = idleSeconds
        self.hasPrinter = hasPrinter
        self.quitWindow = quitWindow
        self.keyGuardSeconds = keyGuardSeconds
    }
}
