// Mail as files: each message becomes one `.eml` file a person can open (`--mail-dir`, the demo).
//
// A message is `<directory>/<YYYYMMDDTHHMMSSZ>-<message id>.eml`, the time in UTC when it was
// first delivered, so a listing sorts by time. The message id is written with only
// [A-Za-z0-9.-] kept and every other byte (and `_` itself) as `_XX` in hex, which keeps distinct
// ids distinct and never makes a `/` or a name outside the folder; the angle brackets around an
// id are dropped. A retry of the same id finds the file by its id and overwrites it, so the
// folder holds each message once. Each file is written whole or not at all: a temporary file in
// the same folder, fsync, rename over the final name, fsync of the folder.
import Foundation
import LoketCore

/// Writes each message as an `.eml` file in a folder instead of sending it.
public struct MailDirectory: MailTransport {
    /// The folder the files go in; made on first delivery if missing.
    public let directory: URL
    /// The clock that stamps a new file's name.
    private let clock: any Clock

    /// A transport writing into `directory`, stamping names with `clock`.
    public init(directory: URL, clock: any Clock = SystemClock()) {
        self.directory = directory
        self.clock = clock
    }

    /// Writes `message` as `<time>-<messageID>.eml`, replacing an earlier file of the same id.
    ///
    /// The sender and recipients are not written: the message's own headers say who it is for.
    /// - Throws: `MailDeliveryError.temporary` when the folder or file cannot be written
    ///   (a full disk may be freed); `.permanent` for an empty message id.
    public func deliver(_ message: [UInt8], messageID: String, from sender: String, to recipients: [String]) throws {
        let key = Self.fileKey(messageID)
        guard !key.isEmpty else { throw MailDeliveryError.permanent("a message without a Message-ID cannot be filed") }
        let folder = directory.path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MailDeliveryError.temporary("cannot make the mail folder \(folder): \(error.localizedDescription)")
        }
        let name = try existingName(forKey: key) ?? "\(Self.stamp(clock.now()))-\(key).eml"
        try Self.writeAtomically(message, folder: folder, name: name)
    }

    /// The file name a message id gets, without time and extension (exposed for tests).
    static func fileKey(_ messageID: String) -> String {
        var id = Substring(messageID)
        if id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 { id = id.dropFirst().dropLast() }
        var key = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
                key.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                key += "_" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        // Names stop at 255 bytes; a very long id keeps its start and a hash of the whole.
        if key.utf8.count > 200 {
            key = String(key.prefix(180)) + "-" + String(fnv1a(Array(messageID.utf8)), radix: 16)
        }
        return key
    }

    /// The name of an earlier file of this id, if there is one.
    private func existingName(forKey key: String) throws -> String? {
        let suffix = "-\(key).eml"
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MailDeliveryError.temporary("cannot list the mail folder \(directory.path): \(error.localizedDescription)")
        }
        // The stamp has a fixed length, so a name that ends in another id's key cannot match.
        return names.first { $0.utf8.count == 16 + suffix.utf8.count && $0.hasSuffix(suffix) && !$0.hasPrefix(".") }
    }

    /// `20261201T090000Z` for 2026-12-01 09:00:00 UTC.
    static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(n ?? 0).leftPadded(to: 2) }
        return String(c.year ?? 0).leftPadded(to: 4) + two(c.month) + two(c.day) + "T" + two(c.hour) + two(c.minute) + two(c.second) + "Z"
    }

    /// Writes `bytes` to `folder/name` through a temporary file, so a reader sees all or nothing.
    private static func writeAtomically(_ bytes: [UInt8], folder: String, name: String) throws {
        let temporary = "\(folder)/.\(name).\(UUID().uuidString).partial"
        let final = "\(folder)/\(name)"
        func failure(_ what: String) -> MailDeliveryError {
            .temporary("cannot \(what) \(final): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("write") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            let error = failure("write")
            unlink(temporary)
            throw error
        }
        closed = true
        guard close(fd) == 0 else {
            let error = failure("write")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, final) == 0 else {
            let error = failure("rename into")
            unlink(temporary)
            throw error
        }
        // The rename itself must survive a crash: sync the folder's entry list.
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }
}

/// FNV-1a, 64 bits: a short, stable name part for an id too long for a file name.
private func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}

private extension String {
    /// `self` with zeros before it up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
