// One key press (or one scanner burst) as the kiosk sees it, after the terminal's bytes are decoded.

/// A key the kiosk reacts to; everything else a terminal can send is dropped by ``KeyDecoder``.
public enum Key: Equatable, Sendable {
    /// A printable character: a digit, a letter, `+ - * /` or punctuation.
    case character(Character)
    /// Several printable characters that arrived at once: a barcode scanner or a paste.
    /// Every character in it is text, so `-` and `/` inside a scanned reference are not commands.
    case text(String)
    /// Enter or Return, also the numpad's Enter.
    case enter
    /// Backspace or Delete: removes the last typed character.
    case backspace
    /// Escape on its own (not the start of a sequence): back to the start screen.
    case escape
    /// Ctrl-C (byte 0x03 in raw mode).
    case interrupt
    /// Ctrl-L: draw the screen again.
    case redraw
    /// Cursor keys (optional: they page like `+` and `-`).
    case up, down, left, right
    /// Page keys of a full keyboard.
    case pageUp, pageDown, home, end
}
