// What the terminal can show, decided once from the environment: colour (not on `dumb`, `vt100`-
// class terminals or when NO_COLOR is set), attributes such as bold and reverse (anything but
// `dumb`), and UTF-8 (from LC_ALL / LC_CTYPE / LANG). The kiosk works with none of them.

/// The terminal's display capabilities.
public struct TerminalStyle: Equatable, Sendable {
    /// ANSI colours.
    public var colour: Bool
    /// Bold, reverse video and cursor control beyond the basics.
    public var attributes: Bool
    /// Characters outside ASCII (accents, block glyphs, dashes) display correctly.
    public var unicode: Bool

    /// Capabilities given directly (tests).
    public init(colour: Bool, attributes: Bool, unicode: Bool) {
        self.colour = colour
        self.attributes = attributes
        self.unicode = unicode
    }

    /// Decides from environment variables (pass `ProcessInfo.processInfo.environment`).
    public init(environment env: [String: String]) {
        let term = (env["TERM"] ?? "").lowercased()
        let plain = term.isEmpty || term == "dumb"
        let monochrome = plain || term.hasPrefix("vt1") || term.hasPrefix("vt2") || term.hasPrefix("vt3")
            || term.hasSuffix("-m") || term.hasSuffix("-mono")
        let noColour = !(env["NO_COLOR"] ?? "").isEmpty
        let locale = (env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LANG"] ?? "").lowercased()
        self.init(colour: !monochrome && !noColour, attributes: !plain,
                  unicode: locale.contains("utf-8") || locale.contains("utf8"))
    }
}
