// Turns screen rows into the bytes for a VT100-compatible terminal: home the cursor, write each
// row with its emphasis, erase the rest of the row (CSI K). Only CSI H, CSI K, SGR and CRLF are
// used, which the Linux console, VT100s, xterm and tmux all understand. Text is folded to ASCII
// when the terminal is not UTF-8. The last row never fills its last column, so nothing scrolls.

/// Paints rows on a terminal.
public struct FramePainter: Sendable {
    /// What the terminal can show.
    public var style: TerminalStyle

    /// A painter for a terminal with these capabilities.
    public init(style: TerminalStyle) {
        self.style = style
    }

    /// Switches to the alternate screen, hides the cursor and clears.
    public static let enter = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J"
    /// Resets attributes, clears, shows the cursor and leaves the alternate screen.
    public static let leave = "\u{1B}[0m\u{1B}[H\u{1B}[2J\u{1B}[?25h\u{1B}[?1049l"

    /// The SGR sequence that starts `lineStyle`, or "" for none.
    public func sgr(_ lineStyle: ScreenLine.Style) -> String {
        guard style.attributes else { return "" }
        if style.colour {
            switch lineStyle {
            case .normal: return ""
            case .title: return "\u{1B}[1;37;44m"
            case .heading: return "\u{1B}[1m"
            case .big: return "\u{1B}[1;33m"
            case .error: return "\u{1B}[1;31m"
            case .dim: return "\u{1B}[2m"
            case .ok: return "\u{1B}[1;32m"
            }
        }
        switch lineStyle {
        case .normal, .dim: return ""
        case .title: return "\u{1B}[7m"
        case .heading, .big, .error, .ok: return "\u{1B}[1m"
        }
    }

    /// The whole frame, from the top-left corner; `rows` should be exactly `size.rows` long.
    public func paint(_ rows: [ScreenLine], size: TerminalSize) -> String {
        var out = "\u{1B}[?25l\u{1B}[H"
        for (index, row) in rows.prefix(size.rows).enumerated() {
            if index > 0 { out += "\r\n" }
            var text = style.unicode ? row.text : PlainText.ascii(row.text)
            let last = index == size.rows - 1
            let limit = last ? size.columns - 1 : size.columns
            if row.style == .title, style.attributes { text += String(repeating: " ", count: max(0, limit - text.count)) }
            if text.count > limit { text = String(text.prefix(limit)) }
            let on = sgr(row.style)
            out += on + text + (on.isEmpty ? "" : "\u{1B}[0m") + "\u{1B}[K"
        }
        return out
    }
}
