// Thin, retrying wrappers over read(2) and write(2), shared by the terminal and the printer.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// read(2) and write(2) with EINTR retried and partial writes continued.
enum POSIX {
    /// Writes all of `bytes` to `fd`; false on any error (EAGAIN is retried when `retryAgain`).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], retryAgain: Bool = false) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return systemWrite(fd, base + offset, buffer.count - offset)
            }
            if n > 0 {
                offset += n
            } else if n < 0, errno == EINTR || (retryAgain && errno == EAGAIN) {
                continue
            } else {
                return false
            }
        }
        return true
    }

    /// One read(2) of at most `limit` bytes; empty at end of input or on error.
    static func readSome(_ fd: Int32, limit: Int = 4096) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return systemRead(fd, base, raw.count)
            }
            if n > 0 { return Array(buffer[0..<n]) }
            if n < 0, errno == EINTR { continue }
            return []
        }
    }

    private static func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        write(fd, pointer, count)
    }

    private static func systemRead(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        read(fd, pointer, count)
    }
}
