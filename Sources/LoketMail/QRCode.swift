// QR codes as SVG (for pages) and PNG (for mail), drawn from libqrencode's module matrix
// (no hand-written encoding). Both have a 4-module quiet zone and error correction level M.
import CQRencode
import Foundation

/// QR codes of short texts, such as an appointment's reference.
public enum QRCode {
    /// An SVG of `text` with a 4-module quiet zone, or nil if it cannot be encoded.
    public static func svg(for text: String) -> String? {
        guard let matrix = Matrix(text) else { return nil }
        let width = matrix.width
        let size = width + 8
        var path = ""
        path.reserveCapacity(width * width * 4)
        for y in 0..<width {
            var x = 0
            while x < width {
                // Draw each run of dark modules as one rectangle.
                guard matrix.isDark(x, y) else {
                    x += 1
                    continue
                }
                var run = 1
                while x + run < width, matrix.isDark(x + run, y) { run += 1 }
                path += "M\(x + 4) \(y + 4)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" shape-rendering="crispEdges" role="img" aria-label="QR code">\
        <rect width="\(size)" height="\(size)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
        """
    }

    /// A black-on-white PNG of `text`, `scale` pixels per module, with a 4-module quiet zone;
    /// nil if it cannot be encoded or `scale` is not 1...64.
    ///
    /// The image is 1-bit grayscale: a reference's code at scale 4 is under 3 KB, which keeps
    /// the mail small (an 8-bit image with stored deflate blocks would be eight times larger).
    public static func png(for text: String, scale: Int) -> [UInt8]? {
        guard (1...64).contains(scale), let matrix = Matrix(text) else { return nil }
        let side = (matrix.width + 8) * scale
        let rowBytes = (side + 7) / 8
        var rows: [[UInt8]] = []
        rows.reserveCapacity(side)
        for py in 0..<side {
            // Bit 1 is white (grayscale 1-bit); start all white and clear the dark modules' bits.
            var row = [UInt8](repeating: 0xFF, count: rowBytes)
            let y = py / scale - 4
            if y >= 0, y < matrix.width {
                for px in 0..<side {
                    let x = px / scale - 4
                    if x >= 0, x < matrix.width, matrix.isDark(x, y) { row[px / 8] &= ~(0x80 >> UInt8(px % 8)) }
                }
            }
            rows.append(row)
        }
        return PNG.encode(width: side, height: side, bitDepth: 1, colorType: .grayscale, rows: rows)
    }

    /// The modules of a QR code: `width` × `width`, row by row, without the quiet zone.
    struct Matrix {
        let width: Int
        let modules: [Bool]

        /// The code of `text` in 8-bit mode, level M; nil when too long or not encodable.
        init?(_ text: String) {
            guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { return nil }
            defer { QRcode_free(code) }
            let width = Int(code.pointee.width)
            // Bit 0 of each byte tells whether the module is dark.
            modules = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
            self.width = width
        }

        func isDark(_ x: Int, _ y: Int) -> Bool { modules[y * width + x] }
    }
}
