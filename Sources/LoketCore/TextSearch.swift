// Catalogue search that ignores case and diacritics ("etat" finds "État civil").
//
// Text is compared in a folded form: lowercase, without diacritics, whitespace collapsed to one
// space. The index folds every service name (all languages), keyword and category name once, as
// UTF-8 byte arrays; a query is folded once and then only scanned for as a byte substring. Sort
// orders (by name per language, and category then name for the empty query) are precomputed too.

import Foundation

/// Folds text for matching: lowercase, no diacritics, single spaces.
public enum TextFolding {
    /// `s` lowercased, diacritics stripped (é -> e, ç -> c, ß -> ss, æ -> ae), whitespace collapsed and trimmed.
    public static func fold(_ s: String) -> String {
        var ascii = true
        for b in s.utf8 where b >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: foldASCII(s.utf8), as: UTF8.self) }
        return foldUnicode(s)
    }

    /// The folded form as UTF-8 bytes.
    static func foldBytes(_ s: String) -> [UInt8] {
        var ascii = true
        for b in s.utf8 where b >= 0x80 {
            ascii = false
            break
        }
        return ascii ? foldASCII(s.utf8) : Array(foldUnicode(s).utf8)
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }

    private static func foldASCII(_ bytes: String.UTF8View) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        for b in bytes {
            if isSpace(b) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
        }
        return out
    }

    /// Letters that canonical decomposition does not split into a base letter and a mark.
    private static let special: [Unicode.Scalar: String] = [
        "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
        "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ı": "i", "þ": "th", "Þ": "th",
        "ĳ": "ij", "Ĳ": "ij",
        "\u{2019}": "'", "\u{2018}": "'", "\u{2013}": "-", "\u{2014}": "-",
    ]

    private static func foldUnicode(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in s.decomposedStringWithCanonicalMapping.unicodeScalars {
            let props = scalar.properties
            if props.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            switch props.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: break
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            if let replacement = special[scalar] {
                out.append(contentsOf: replacement.unicodeScalars)
            } else if scalar.isASCII {
                let v = scalar.value
                out.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(v + 0x20)! : scalar)
            } else {
                out.append(contentsOf: props.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }
}

/// A precomputed search index over the catalogue's services.
public struct ServiceSearchIndex: Sendable {
    /// How well a service matched; lower is better.
    private enum Tier: Int {
        case nameStarts = 0, wordStarts, nameContains, keyword, category, allWords
    }

    /// Folded texts of one service.
    private struct Entry: Sendable {
        /// Folded names, one per distinct language text.
        var names: [[UInt8]]
        /// Folded keywords.
        var keywords: [[UInt8]]
        /// Folded names of its category, in all languages.
        var category: [[UInt8]]
        /// Everything above joined by spaces, for multi-word queries.
        var all: [UInt8]
        /// Position of the category in the catalogue (unknown categories last).
        var categoryOrder: Int
    }

    private let services: [Service]
    private let entries: [Entry]
    /// Per language: each service's position when sorted by folded name (then id).
    private let nameRank: [Language: [Int]]
    /// Per language: service indices by category order, then name.
    private let browseOrder: [Language: [Int]]

    /// Builds the index: folds every name, keyword and category name once.
    public init(catalogue: Catalogue) {
        services = catalogue.services
        var categoryOrder: [String: Int] = [:]
        var categoryNames: [String: [[UInt8]]] = [:]
        for (i, c) in catalogue.categories.enumerated() where categoryOrder[c.id] == nil {
            categoryOrder[c.id] = i
            categoryNames[c.id] = Self.distinct(c.name.values.values.map(TextFolding.foldBytes))
        }
        let built: [Entry] = catalogue.services.map { s in
            let names = Self.distinct(s.name.values.values.map(TextFolding.foldBytes))
            let keywords = s.keywords.map(TextFolding.foldBytes).filter { !$0.isEmpty }
            let category = categoryNames[s.category] ?? [TextFolding.foldBytes(s.category)]
            var all: [UInt8] = []
            for part in names + keywords + category {
                all.append(contentsOf: part)
                all.append(0x20)
            }
            return Entry(names: names, keywords: keywords, category: category, all: all,
                         categoryOrder: categoryOrder[s.category] ?? Int.max)
        }
        entries = built
        var nameRank: [Language: [Int]] = [:]
        var browseOrder: [Language: [Int]] = [:]
        for language in Language.allCases {
            let folded = catalogue.services.map { TextFolding.foldBytes($0.name.resolve(language)) }
            let byName = catalogue.services.indices.sorted { a, b in
                if folded[a] != folded[b] { return folded[a].lexicographicallyPrecedes(folded[b]) }
                return catalogue.services[a].id < catalogue.services[b].id
            }
            var rank = [Int](repeating: 0, count: byName.count)
            for (position, index) in byName.enumerated() { rank[index] = position }
            nameRank[language] = rank
            browseOrder[language] = catalogue.services.indices.sorted { a, b in
                let ca = built[a].categoryOrder, cb = built[b].categoryOrder
                return ca != cb ? ca < cb : rank[a] < rank[b]
            }
        }
        self.nameRank = nameRank
        self.browseOrder = browseOrder
    }

    /// Services matching `query` in any language, best matches first.
    ///
    /// Ranking: name starts with the query, then a word of the name starts with it, then the name
    /// contains it, then a keyword contains it, then a category name does, then (for queries of
    /// several words) every word occurs somewhere; ties by the name in `language`. A blank query
    /// returns every service by category order, then name. `location` and `channel` filter. No match: [].
    public func search(_ query: String, language: Language, location: String? = nil, channel: Channel? = nil) -> [Service] {
        let q = TextFolding.foldBytes(query)
        let rank = nameRank[language] ?? []
        func admitted(_ i: Int) -> Bool {
            let s = services[i]
            if let location, !s.locations.contains(location) { return false }
            if let channel, !s.channels.contains(channel) { return false }
            return true
        }
        if q.isEmpty {
            return (browseOrder[language] ?? []).lazy.filter(admitted).map { services[$0] }
        }
        let words = q.split(separator: 0x20)
        var hits: [(tier: Int, rank: Int, index: Int)] = []
        for i in entries.indices where admitted(i) {
            if let tier = Self.tier(of: entries[i], query: q, words: words) {
                hits.append((tier.rawValue, rank[i], i))
            }
        }
        hits.sort { $0.tier != $1.tier ? $0.tier < $1.tier : $0.rank < $1.rank }
        return hits.map { services[$0.index] }
    }

    private static func tier(of entry: Entry, query: [UInt8], words: [ArraySlice<UInt8>]) -> Tier? {
        var best: Tier? = nil
        for name in entry.names {
            switch find(query, in: name) {
            case .start: return .nameStarts
            case .wordStart: best = .wordStarts
            case .inside: if best == nil { best = .nameContains }
            case .none: break
            }
        }
        if let best { return best }
        for keyword in entry.keywords where find(query, in: keyword) != .none { return .keyword }
        for name in entry.category where find(query, in: name) != .none { return .category }
        if words.count > 1, words.allSatisfy({ find($0, in: entry.all) != .none }) { return .allWords }
        return nil
    }

    private enum Match { case none, start, wordStart, inside }

    /// Where `needle` occurs in `haystack`: at the start, at a word start, inside a word, or not.
    private static func find<C: RandomAccessCollection>(_ needle: C, in haystack: [UInt8]) -> Match
    where C.Element == UInt8, C.Index == Int {
        let n = needle.count, h = haystack.count
        guard n > 0, n <= h else { return .none }
        let first = needle[needle.startIndex]
        var result = Match.none
        haystack.withUnsafeBufferPointer { hay in
            var i = 0
            let last = h - n
            outer: while i <= last {
                if hay[i] != first {
                    i += 1
                    continue
                }
                var k = 1
                while k < n {
                    if hay[i + k] != needle[needle.startIndex + k] {
                        i += 1
                        continue outer
                    }
                    k += 1
                }
                if i == 0 {
                    result = .start
                    return
                }
                if !isWordByte(hay[i - 1]) {
                    result = .wordStart
                    return
                }
                if result == .none { result = .inside }
                i += 1
            }
        }
        return result
    }

    /// Letters and digits (and any non-ASCII byte) belong to words; the rest separates them.
    @inline(__always) private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b >= 0x80
    }

    private static func distinct(_ texts: [[UInt8]]) -> [[UInt8]] {
        var seen = Set<[UInt8]>()
        return texts.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
