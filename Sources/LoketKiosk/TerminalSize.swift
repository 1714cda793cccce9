// The terminal's size in character cells, as TIOCGWINSZ reports it.

/// Columns and rows of the terminal.
public struct TerminalSize: Equatable, Sendable {
    /// Characters per row.
    public var columns: Int
    /// Rows on the screen.
    public var rows: Int

    /// A size; values below 1 count as the classic 80x24.
    public init(columns: Int, rows: Int) {
        self.columns = columns > 0 ? columns : 80
        self.rows = rows > 0 ? rows : 24
    }

    /// The VT100 screen every layout must fit.
    public static let vt100 = TerminalSize(columns: 80, rows: 24)
}
