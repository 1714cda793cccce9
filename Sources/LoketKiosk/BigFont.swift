// A 5-row block font for the ticket number on screen, the terminal's stand-in for the large
// print on paper. Glyphs are 5 columns wide plus one column of space; characters without a
// glyph are drawn as blanks, so the plain number is always shown on its own line too.

/// Renders short texts (ticket numbers) in large block letters.
public enum BigFont {
    /// Rows per glyph.
    public static let height = 5
    /// Columns per glyph, space included.
    public static let advance = 6

    private static let glyphs: [Character: [String]] = [
        "0": ["#####", "#   #", "#   #", "#   #", "#####"],
        "1": ["  #  ", " ##  ", "  #  ", "  #  ", " ### "],
        "2": ["#####", "    #", "#####", "#    ", "#####"],
        "3": ["#####", "    #", " ####", "    #", "#####"],
        "4": ["#   #", "#   #", "#####", "    #", "    #"],
        "5": ["#####", "#    ", "#####", "    #", "#####"],
        "6": ["#####", "#    ", "#####", "#   #", "#####"],
        "7": ["#####", "    #", "   # ", "  #  ", "  #  "],
        "8": ["#####", "#   #", "#####", "#   #", "#####"],
        "9": ["#####", "#   #", "#####", "    #", "#####"],
        "A": [" ### ", "#   #", "#####", "#   #", "#   #"],
        "B": ["#### ", "#   #", "#### ", "#   #", "#### "],
        "C": [" ####", "#    ", "#    ", "#    ", " ####"],
        "D": ["#### ", "#   #", "#   #", "#   #", "#### "],
        "E": ["#####", "#    ", "#### ", "#    ", "#####"],
        "F": ["#####", "#    ", "#### ", "#    ", "#    "],
        "G": [" ####", "#    ", "#  ##", "#   #", " ####"],
        "H": ["#   #", "#   #", "#####", "#   #", "#   #"],
        "I": [" ### ", "  #  ", "  #  ", "  #  ", " ### "],
        "J": ["  ###", "    #", "    #", "#   #", " ### "],
        "K": ["#   #", "#  # ", "###  ", "#  # ", "#   #"],
        "L": ["#    ", "#    ", "#    ", "#    ", "#####"],
        "M": ["#   #", "## ##", "# # #", "#   #", "#   #"],
        "N": ["#   #", "##  #", "# # #", "#  ##", "#   #"],
        "O": [" ### ", "#   #", "#   #", "#   #", " ### "],
        "P": ["#### ", "#   #", "#### ", "#    ", "#    "],
        "Q": [" ### ", "#   #", "# # #", "#  # ", " ## #"],
        "R": ["#### ", "#   #", "#### ", "#  # ", "#   #"],
        "S": [" ####", "#    ", " ### ", "    #", "#### "],
        "T": ["#####", "  #  ", "  #  ", "  #  ", "  #  "],
        "U": ["#   #", "#   #", "#   #", "#   #", " ### "],
        "V": ["#   #", "#   #", "#   #", " # # ", "  #  "],
        "W": ["#   #", "#   #", "# # #", "## ##", "#   #"],
        "X": ["#   #", " # # ", "  #  ", " # # ", "#   #"],
        "Y": ["#   #", " # # ", "  #  ", "  #  ", "  #  "],
        "Z": ["#####", "   # ", "  #  ", " #   ", "#####"],
        "-": ["     ", "     ", " ### ", "     ", "     "],
    ]

    /// Width in columns of `text` in the big font (without the trailing space).
    public static func width(of text: String) -> Int {
        text.isEmpty ? 0 : text.count * advance - 1
    }

    /// The ``height`` rows of `text` in block letters; `ink` is the character drawn.
    public static func render(_ text: String, ink: Character = "#") -> [String] {
        var rows = [String](repeating: "", count: height)
        for (index, c) in text.uppercased().enumerated() {
            let glyph = glyphs[c] ?? [String](repeating: "     ", count: height)
            for r in 0..<height {
                if index > 0 { rows[r] += " " }
                rows[r] += ink == "#" ? glyph[r] : String(glyph[r].map { $0 == "#" ? ink : $0 })
            }
        }
        return rows
    }
}
