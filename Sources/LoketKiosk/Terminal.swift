// The controlling terminal: raw mode (no echo, no line editing, no signals from Ctrl-C, so every
// key reaches the kiosk), its size (ioctl TIOCGWINSZ), and writing whole frames. The original
// settings are saved on entry and put back by ``restore()``, which is safe to call twice.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the terminal cannot be used.
public enum TerminalError: Error, CustomStringConvertible {
    case notATerminal
    case cannotSetMode(Int32)

    /// One line for the operator.
    public var description: String {
        switch self {
        case .notATerminal: return "standard input and output must be a terminal"
        case let .cannotSetMode(code): return "cannot put the terminal in raw mode (errno \(code))"
        }
    }
}

/// Standard input and output as a terminal.
///
/// Not thread-safe: the kiosk runner uses it from its one serial queue.
public final class Terminal: @unchecked Sendable {
    /// File descriptor keys are read from.
    public let input: Int32 = 0
    /// File descriptor frames are written to.
    public let output: Int32 = 1
    private var saved: termios?

    /// Checks that both ends are terminals.
    ///
    /// - Throws: ``TerminalError/notATerminal``.
    public init() throws {
        guard isatty(input) == 1, isatty(output) == 1 else { throw TerminalError.notATerminal }
    }

    /// Raw mode: bytes arrive one by one, unechoed; Ctrl-C, Ctrl-Z, Ctrl-S are plain bytes.
    ///
    /// - Throws: ``TerminalError/cannotSetMode(_:)``.
    public func enterRawMode() throws {
        var mode = termios()
        guard tcgetattr(input, &mode) == 0 else { throw TerminalError.cannotSetMode(errno) }
        saved = mode
        mode.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
        mode.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        mode.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &mode.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &mode) == 0 else { throw TerminalError.cannotSetMode(errno) }
    }

    /// Puts the saved settings back; does nothing when raw mode was never entered.
    public func restore() {
        guard var mode = saved else { return }
        _ = tcsetattr(input, TCSAFLUSH, &mode)
        saved = nil
    }

    /// The current size, or nil when the terminal does not say.
    public func size() -> TerminalSize? {
        var ws = winsize()
        guard ioctl(output, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 else { return nil }
        return TerminalSize(columns: Int(ws.ws_col), rows: Int(ws.ws_row))
    }

    /// Writes all of `text`; gives up silently when the terminal is gone.
    public func write(_ text: String) {
        _ = POSIX.writeAll(output, Array(text.utf8), retryAgain: true)
    }

    /// Reads what is available (at most 4096 bytes); empty at end of input or on error.
    public func read() -> [UInt8] {
        POSIX.readSome(input)
    }
}
