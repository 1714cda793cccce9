// ESC/POS bytes for a ticket, as understood by common 58/80 mm receipt printers (Epson TM and
// compatibles). Pure: the same receipt always gives the same bytes, so tests compare them exactly.
//
// Layout: ESC @ (initialise), ESC a 1 (centre), the heading, GS ! 0x22 (triple width and height)
// for the number, GS ! 0x00 back to normal, one line per fact, the QR code of the status link
// (GS ( k: model 2, module size, error level M, store, print), the link in text, then ESC d 4
// (feed) and GS V 66 0 (feed to the cutter and cut). Text is folded to ASCII, which every code
// page prints the same, and wrapped at ``width`` columns.

/// Encodes receipts as ESC/POS.
public struct ESCPOSEncoder: Sendable {
    /// Characters per line in the normal font (42 on 80 mm paper, 32 on 58 mm).
    public var width: Int
    /// QR module size in dots (1-16).
    public var qrModuleSize: UInt8
    /// Character size of the number: high nibble width-1, low nibble height-1 (0x22 is 3x3).
    public var numberSize: UInt8

    /// An encoder for a printer with `width` columns.
    public init(width: Int = 42, qrModuleSize: UInt8 = 6, numberSize: UInt8 = 0x22) {
        self.width = width
        self.qrModuleSize = qrModuleSize
        self.numberSize = numberSize
    }

    static let esc: UInt8 = 0x1B
    static let gs: UInt8 = 0x1D
    static let lf: UInt8 = 0x0A

    /// ESC @: reset the printer to its defaults.
    public static let initialize: [UInt8] = [esc, 0x40]
    /// ESC a 1: centre what follows.
    public static let center: [UInt8] = [esc, 0x61, 0x01]
    /// GS ! n: character size.
    public static func size(_ n: UInt8) -> [UInt8] { [gs, 0x21, n] }
    /// ESC d n: print and feed n lines.
    public static func feed(_ lines: UInt8) -> [UInt8] { [esc, 0x64, lines] }
    /// GS V 66 0: feed to the cutting position and cut (partial cut where the printer has one).
    public static let cut: [UInt8] = [gs, 0x56, 0x42, 0x00]

    /// The five GS ( k commands that print `data` as a QR code: model 2 (fn 65), module size
    /// (fn 67), error correction M (fn 69), store the data (fn 80), print it (fn 81).
    /// Nil when the data is too long for one store command.
    public static func qrCode(_ data: [UInt8], moduleSize: UInt8) -> [UInt8]? {
        let length = data.count + 3
        guard !data.isEmpty, length <= 7092 else { return nil }
        var out: [UInt8] = []
        out += [gs, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]          // fn 65: model 2
        out += [gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, max(1, min(16, moduleSize))] // fn 67: module size
        out += [gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]                // fn 69: level M
        out += [gs, 0x28, 0x6B, UInt8(length & 0xFF), UInt8(length >> 8), 0x31, 0x50, 0x30] + data // fn 80: store
        out += [gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]                // fn 81: print
        return out
    }

    /// One line of text: folded to ASCII, wrapped at ``width``, each piece ending in LF.
    func text(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        for line in PlainText.wrap(PlainText.ascii(s), width: width) {
            out += Array(line.utf8) + [ESCPOSEncoder.lf]
        }
        return out
    }

    /// The bytes of a whole ticket, from initialise to cut.
    public func encode(_ receipt: TicketReceipt) -> [UInt8] {
        var out = ESCPOSEncoder.initialize + ESCPOSEncoder.center
        out += text(receipt.heading)
        out += ESCPOSEncoder.size(numberSize)
        out += Array(PlainText.ascii(receipt.number).utf8) + [ESCPOSEncoder.lf]
        out += ESCPOSEncoder.size(0x00)
        out += [ESCPOSEncoder.lf]
        for line in receipt.lines { out += text(line) }
        let link = Array(PlainText.ascii(receipt.link).utf8)
        if let qr = ESCPOSEncoder.qrCode(link, moduleSize: qrModuleSize) {
            out += [ESCPOSEncoder.lf]
            out += text(receipt.qrLabel)
            out += qr
            out += [ESCPOSEncoder.lf]
        }
        out += text(receipt.link)
        out += ESCPOSEncoder.feed(4)
        out += ESCPOSEncoder.cut
        return out
    }
}
