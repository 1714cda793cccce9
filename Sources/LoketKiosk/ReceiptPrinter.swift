// Writes receipt bytes to the printer: a device such as /dev/usb/lp0, or a plain file (which
// is appended to, for tests and for printing later). The device is opened for each ticket, so a
// printer that was unplugged and plugged back in works again without a restart. Under /dev
// nothing is ever created: a vanished device is a failure, not a new file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A receipt printer reached through a file path.
public struct ReceiptPrinter: Sendable {
    /// Device or file path.
    public let path: String

    /// A printer at `path`; nothing is opened until ``write(_:)``.
    public init(path: String) {
        self.path = path
    }

    /// Writes all of `bytes`; false when the printer cannot be opened or the write fails.
    ///
    /// May block while a device is busy: call it off the kiosk's own queue.
    public func write(_ bytes: [UInt8]) -> Bool {
        var flags = O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC
        if !path.hasPrefix("/dev/") { flags |= O_CREAT }
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return POSIX.writeAll(fd, bytes)
    }
}
