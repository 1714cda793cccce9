// Everything wrong with a config directory at once: the loader validates all files and
// reports every issue instead of stopping at the first.

/// The config directory could not be loaded; `issues` lists every problem found, in file order.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// Never empty when thrown by `ConfigLoader.load(directory:)`.
    public var issues: [ConfigIssue]

    public init(issues: [ConfigIssue]) { self.issues = issues }

    /// One issue per line, in the `file:line:column: message` form editors understand.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
