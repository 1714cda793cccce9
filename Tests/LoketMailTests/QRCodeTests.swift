// QR codes: the SVG for pages, the PNG for mail, and the PNG writer's checksums and layout.
// The PNG is read back here by a test-side decoder of its chunks and stored deflate blocks.
import Foundation
import Testing
@testable import LoketMail

@Suite struct QRCodeTests {
    @Test func svgHasAQuietZoneAndModules() throws {
        let svg = try #require(QRCode.svg(for: "K7M-3QX"))
        // Version 1 (21 modules) plus 4 on each side.
        #expect(svg.contains("viewBox=\"0 0 29 29\""))
        #expect(svg.contains("<path d=\"M4 4h7v1h-7z"), "the top-left finder pattern starts at (4, 4) with 7 dark modules")
    }

    @Test func crc32KnownVectors() {
        #expect(PNG.crc32(Array("".utf8)) == 0)
        #expect(PNG.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNG.crc32(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        // Every PNG ends with the same IEND chunk, CRC AE 42 60 82.
        #expect(PNG.chunk("IEND", []) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
    }

    @Test func adler32KnownVectors() {
        #expect(PNG.adler32(Array("".utf8)) == 1)
        #expect(PNG.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNG.adler32(Array("abc".utf8)) == 0x024D_0127)
        // Sums wrap at 65521: a megabyte of 0xFF.
        #expect(PNG.adler32([UInt8](repeating: 0xFF, count: 1 << 20)) == adler32Slow([UInt8](repeating: 0xFF, count: 1 << 20)))
    }

    @Test func storedBlocksSplitAt65535Bytes() throws {
        let bytes = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let z = PNG.zlibStored(bytes)
        #expect((Int(z[0]) * 256 + Int(z[1])) % 31 == 0, "zlib header check bits")
        #expect(try PNGReader.inflateStored(z) == bytes)
        #expect(z.count == 2 + 3 * 5 + 150_000 + 4, "three blocks of 5 header bytes each")
    }

    @Test func pngOfAReferenceIsAValidImageOfItsCode() throws {
        let scale = 3
        let png = try #require(QRCode.png(for: "K7M-3QX", scale: scale))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = try PNGReader.chunks(png)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        for chunk in chunks { #expect(chunk.crcIsValid, "CRC of \(chunk.type)") }
        let ihdr = chunks[0].data
        #expect(ihdr.count == 13)
        let side = (21 + 8) * scale
        #expect(PNGReader.uint32(ihdr, 0) == UInt32(side) && PNGReader.uint32(ihdr, 4) == UInt32(side))
        #expect(Array(ihdr[8...]) == [1, 0, 0, 0, 0], "1-bit grayscale, deflate, no filter method, no interlace")

        let raw = try PNGReader.inflateStored(chunks[1].data)
        let rowBytes = (side + 7) / 8
        #expect(raw.count == side * (rowBytes + 1))
        func isDark(_ x: Int, _ y: Int) -> Bool {
            let row = y * (rowBytes + 1)
            #expect(raw[row] == 0, "filter type none")
            return raw[row + 1 + x / 8] & (0x80 >> (x % 8)) == 0
        }
        // The quiet zone is white, the finder pattern's corner is dark, and every pixel is its module's.
        #expect(!isDark(0, 0) && !isDark(4 * scale - 1, 4 * scale - 1))
        #expect(isDark(4 * scale, 4 * scale))
        let matrix = try #require(QRCode.Matrix("K7M-3QX"))
        for y in 0..<side {
            for x in 0..<side {
                let mx = x / scale - 4, my = y / scale - 4
                let expected = mx >= 0 && my >= 0 && mx < 21 && my < 21 && matrix.isDark(mx, my)
                if isDark(x, y) != expected { Issue.record("pixel (\(x), \(y))"); return }
            }
        }
    }

    @Test func pngRefusesAnImpossibleScale() {
        #expect(QRCode.png(for: "K7M-3QX", scale: 0) == nil)
        #expect(QRCode.png(for: "K7M-3QX", scale: 65) == nil)
        #expect(PNG.encode(width: 2, height: 1, bitDepth: 8, colorType: .grayscale, rows: [[0]]) == nil, "row too short")
        #expect(PNG.encode(width: 1, height: 1, bitDepth: 8, colorType: .rgb, rows: [[1, 2, 3]]) != nil)
    }

    private func adler32Slow(_ bytes: [UInt8]) -> UInt32 {
        var a = 1, b = 0
        for byte in bytes {
            a = (a + Int(byte)) % 65521
            b = (b + a) % 65521
        }
        return UInt32(b << 16 | a)
    }
}

/// Reads PNG chunks and zlib streams of stored blocks, independently of the writer.
enum PNGReader {
    struct Chunk {
        var type: String
        var data: [UInt8]
        var crcIsValid: Bool
    }

    struct Malformed: Error {}

    static func uint32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func chunks(_ png: [UInt8]) throws -> [Chunk] {
        var out: [Chunk] = [], i = 8
        while i < png.count {
            guard i + 12 <= png.count else { throw Malformed() }
            let length = Int(uint32(png, i))
            guard i + 12 + length <= png.count else { throw Malformed() }
            let typeAndData = Array(png[(i + 4)..<(i + 8 + length)])
            out.append(Chunk(type: String(decoding: typeAndData.prefix(4), as: UTF8.self), data: Array(typeAndData.dropFirst(4)),
                             crcIsValid: crc32(typeAndData) == uint32(png, i + 8 + length)))
            i += 12 + length
        }
        return out
    }

    /// Inflates a zlib stream made only of stored blocks, checking LEN/NLEN and the Adler-32.
    static func inflateStored(_ z: [UInt8]) throws -> [UInt8] {
        guard z.count >= 6, z[0] & 0x0F == 8, (Int(z[0]) << 8 | Int(z[1])) % 31 == 0 else { throw Malformed() }
        var out: [UInt8] = [], i = 2, final = false
        while !final {
            guard i + 5 <= z.count, z[i] & 0b110 == 0 else { throw Malformed() }
            final = z[i] & 1 == 1
            let len = Int(z[i + 1]) | Int(z[i + 2]) << 8, nlen = Int(z[i + 3]) | Int(z[i + 4]) << 8
            guard len ^ nlen == 0xFFFF, i + 5 + len <= z.count else { throw Malformed() }
            out += z[(i + 5)..<(i + 5 + len)]
            i += 5 + len
        }
        guard i + 4 == z.count else { throw Malformed() }
        var a = 1, b = 0
        for byte in out { a = (a + Int(byte)) % 65521; b = (b + a) % 65521 }
        guard uint32(z, i) == UInt32(b << 16 | a) else { throw Malformed() }
        return out
    }

    /// Bitwise CRC-32, no table: a second implementation to check the writer's.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
