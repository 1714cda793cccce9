// One row of the kiosk screen: its text and how to emphasise it. The renderer produces rows,
// the painter turns them into escape sequences, so layouts are tested as plain text.

/// A row of the screen.
public struct ScreenLine: Equatable, Sendable {
    /// How a row is emphasised; each degrades to plain text on a terminal without attributes.
    public enum Style: Equatable, Sendable {
        case normal
        /// The bar at the top: reverse video (or white on blue in colour), spanning the width.
        case title
        /// Category names and headings: bold.
        case heading
        /// The ticket number: bold, yellow in colour.
        case big
        /// Something went wrong: bold, red in colour.
        case error
        /// Key help: dim in colour, plain otherwise.
        case dim
        /// Good news: bold, green in colour.
        case ok
    }

    /// The row's characters, at most the screen's width.
    public var text: String
    /// How the whole row is emphasised.
    public var style: Style

    /// A row of `text` in `style`.
    public init(_ text: String = "", _ style: Style = .normal) {
        self.text = text
        self.style = style
    }
}
