// A minimal PNG writer (ISO/IEC 15948), enough for QR codes in mail, without zlib.
//
// The file is the 8-byte signature, then chunks of `length (4, big-endian) | type (4) | data |
// CRC-32 of type and data`: IHDR, one IDAT, IEND. The IDAT data is a zlib stream (RFC 1950:
// header 0x78 0x01, deflate data, Adler-32 of the raw bytes) whose deflate data (RFC 1951) is
// "stored" blocks of at most 65535 bytes each, i.e. not compressed; the raw bytes are the
// scanlines, each preceded by filter type 0 (none). Small images only: nothing is compressed.

/// Writes PNG images.
enum PNG {
    /// The first eight bytes of every PNG file.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The colour types this writer uses.
    enum ColorType: UInt8 {
        case grayscale = 0
        case rgb = 2
    }

    /// A PNG of `rows` (each row packed as PNG wants it: `width × channels × bitDepth` bits, padded
    /// to a byte), or nil when the sizes do not match.
    static func encode(width: Int, height: Int, bitDepth: UInt8, colorType: ColorType, rows: [[UInt8]]) -> [UInt8]? {
        let channels = colorType == .rgb ? 3 : 1
        let rowBytes = (width * channels * Int(bitDepth) + 7) / 8
        guard width > 0, height > 0, rows.count == height, rows.allSatisfy({ $0.count == rowBytes }),
              colorType == .grayscale ? [1, 2, 4, 8, 16].contains(bitDepth) : [8, 16].contains(bitDepth) else { return nil }
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (rowBytes + 1))
        for row in rows {
            raw.append(0)  // filter: none
            raw += row
        }
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [bitDepth, colorType.rawValue, 0, 0, 0]  // deflate, adaptive filtering, no interlace
        var out = signature
        out += chunk("IHDR", header)
        out += chunk("IDAT", zlibStored(raw))
        out += chunk("IEND", [])
        return out
    }

    /// One chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(typeAndData))
    }

    /// `bytes` as a zlib stream of stored (uncompressed) deflate blocks.
    static func zlibStored(_ bytes: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate with a 32K window; FLG 0x01 makes (CMF*256 + FLG) a multiple of 31.
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65535, bytes.count)
            let n = UInt16(end - start)
            out.append(end == bytes.count ? 1 : 0)  // BFINAL, BTYPE 00 (stored)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)]
            out += bytes[start..<end]
            start = end
        } while start < bytes.count
        out += bigEndian(adler32(bytes))
        return out
    }

    /// CRC-32 as PNG and zip use it (polynomial 0xEDB88320, reflected, inverted).
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// Adler-32 (RFC 1950): two sums modulo 65521.
    static func adler32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
}
