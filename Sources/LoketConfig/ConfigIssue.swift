// One problem found in the config directory, pointing at the file, line and column of the
// offending YAML node, so that whoever edits the files can jump straight to it.

/// A problem in one config file, with the position of the node that causes it.
///
/// `line` and `column` start at 1 (from Yams' node marks); both are 0 for problems that
/// concern a whole file, such as a missing `counters.yaml`.
public struct ConfigIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as given: the config directory joined with the file name, e.g. `config/services.yaml`.
    public var file: String
    /// 1-based line; 0 when the issue is about the whole file.
    public var line: Int
    /// 1-based column (in Unicode scalars); 0 when the issue is about the whole file.
    public var column: Int
    /// What is wrong, e.g. `unknown location 'x' in service 'eid'`.
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `config/services.yaml:12:5: unknown location 'x' in service 'eid'`, or
    /// `config/counters.yaml: missing file` for a whole-file issue.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}
