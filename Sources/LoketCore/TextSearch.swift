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
///
/// All folded texts (names in every language, keywords, category names) live in one byte buffer,
/// each followed by a NUL byte, with parallel arrays saying where each text starts and ends, whose
/// service it is and what kind of text. A trigram index (every 3-byte sequence -> the texts holding
/// it) narrows a query of 3 bytes or more to the texts holding its rarest trigram, which are then
/// scanned; shorter queries scan the whole buffer with `memchr`. No `Service` value is touched
/// until the answer is assembled.
public struct ServiceSearchIndex: Sendable {
    /// How well a service matched; lower is better.
    private enum Tier: UInt8 {
        case nameStarts = 0, wordStarts, nameContains, keyword, category, allWords, none
    }

    /// What kind of text a field is.
    private enum Kind: UInt8 { case name, keyword, category }

    private let services: [Service]
    /// Folded texts, each followed by a 0 byte.
    private let text: [UInt8]
    /// Per field: start and end in `text`, owning service index, and kind.
    private let fieldStart: [Int32]
    private let fieldEnd: [Int32]
    private let fieldOwner: [Int32]
    private let fieldKind: [Kind]
    /// How often each byte occurs in `text`, to search for the rarest byte of a short query.
    private let byteCount: [Int]
    /// Trigram (3 bytes as `b0 << 16 | b1 << 8 | b2`) -> its range in `postings`.
    private let trigrams: [UInt32: Range<Int32>]
    /// Field numbers per trigram, ascending, each once.
    private let postings: [Int32]
    /// Per service: position of its category in the catalogue (unknown categories last).
    private let categoryOrder: [Int]
    /// Per service: bit 0 appointment, bit 1 walk-in.
    private let channelBits: [UInt8]
    /// Per location id: whether each service is offered there.
    private let offeredAt: [String: [Bool]]
    /// Per language: each service's position when sorted by folded name (then id).
    private let nameRank: [Language: [Int32]]
    /// Per language: service indices by category order, then name.
    private let browseOrder: [Language: [Int]]

    /// Builds the index: folds every name, keyword and category name once.
    public init(catalogue: Catalogue) {
        services = catalogue.services
        let count = catalogue.services.count
        var categoryIndex: [String: Int] = [:]
        var categoryNames: [String: [[UInt8]]] = [:]
        for (i, c) in catalogue.categories.enumerated() where categoryIndex[c.id] == nil {
            categoryIndex[c.id] = i
            categoryNames[c.id] = Self.distinct(c.name.values.values.map(TextFolding.foldBytes))
        }
        var text: [UInt8] = []
        var starts: [Int32] = [], ends: [Int32] = [], owners: [Int32] = [], kinds: [Kind] = []
        var categoryOrder: [Int] = [], channelBits: [UInt8] = []
        var offeredAt: [String: [Bool]] = [:]
        for (i, s) in catalogue.services.enumerated() {
            func add(_ texts: [[UInt8]], _ kind: Kind) {
                for t in texts {
                    starts.append(Int32(text.count))
                    text.append(contentsOf: t)
                    ends.append(Int32(text.count))
                    text.append(0)
                    owners.append(Int32(i))
                    kinds.append(kind)
                }
            }
            add(Self.distinct(s.name.values.values.map(TextFolding.foldBytes)), .name)
            add(Self.distinct(s.keywords.map(TextFolding.foldBytes)), .keyword)
            add(categoryNames[s.category] ?? [TextFolding.foldBytes(s.category)], .category)
            categoryOrder.append(categoryIndex[s.category] ?? Int.max)
            channelBits.append((s.channels.contains(.appointment) ? 1 : 0) | (s.channels.contains(.walkin) ? 2 : 0))
            for location in s.locations {
                offeredAt[location, default: [Bool](repeating: false, count: count)][i] = true
            }
        }
        var byteCount = [Int](repeating: 0, count: 256)
        for b in text { byteCount[Int(b)] += 1 }
        var lists: [UInt32: [Int32]] = [:]
        for f in starts.indices where ends[f] - starts[f] >= 3 {
            for p in Int(starts[f])...(Int(ends[f]) - 3) {
                let key = UInt32(text[p]) << 16 | UInt32(text[p + 1]) << 8 | UInt32(text[p + 2])
                if lists[key]?.last != Int32(f) { lists[key, default: []].append(Int32(f)) }
            }
        }
        var postings: [Int32] = []
        var trigrams: [UInt32: Range<Int32>] = [:]
        for (key, list) in lists {
            trigrams[key] = Int32(postings.count)..<Int32(postings.count + list.count)
            postings.append(contentsOf: list)
        }
        self.trigrams = trigrams
        self.postings = postings
        self.text = text
        self.fieldStart = starts
        self.fieldEnd = ends
        self.fieldOwner = owners
        self.fieldKind = kinds
        self.byteCount = byteCount
        self.categoryOrder = categoryOrder
        self.channelBits = channelBits
        self.offeredAt = offeredAt

        var nameRank: [Language: [Int32]] = [:]
        var browseOrder: [Language: [Int]] = [:]
        for language in Language.allCases {
            let folded = catalogue.services.map { TextFolding.foldBytes($0.name.resolve(language)) }
            let byName = catalogue.services.indices.sorted { a, b in
                if folded[a] != folded[b] { return folded[a].lexicographicallyPrecedes(folded[b]) }
                return catalogue.services[a].id < catalogue.services[b].id
            }
            var rank = [Int32](repeating: 0, count: count)
            for (position, index) in byName.enumerated() { rank[index] = Int32(position) }
            nameRank[language] = rank
            browseOrder[language] = catalogue.services.indices.sorted { a, b in
                let ca = categoryOrder[a], cb = categoryOrder[b]
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
        matches(query, language: language, location: location, channel: channel).map { services[$0] }
    }

    /// Like `search`, as indices into `catalogue.services` (lets callers use per-service caches without copying services).
    public func matches(_ query: String, language: Language, location: String? = nil, channel: Channel? = nil) -> [Int] {
        var q = TextFolding.foldBytes(query)
        q.removeAll { $0 == 0 }
        let offered: [Bool]?
        if let location {
            guard let list = offeredAt[location] else { return [] }
            offered = list
        } else {
            offered = nil
        }
        let channelBit: UInt8 = switch channel {
        case nil: 3
        case .appointment?: 1
        case .walkin?: 2
        }
        func admitted(_ i: Int) -> Bool {
            channelBits[i] & channelBit != 0 && (offered?[i] ?? true)
        }
        if q.isEmpty {
            return (browseOrder[language] ?? []).filter(admitted)
        }

        var best = [UInt8](repeating: Tier.none.rawValue, count: services.count)
        // Short queries match at word starts only: "eid" should not find "arbeidskaart".
        let wordStartsOnly = q.count <= 3
        occurrences(of: q) { field, position in
            let owner = Int(fieldOwner[field])
            if wordStartsOnly, position != Int(fieldStart[field]), Self.isWordByte(text[position - 1]) { return }
            let tier: Tier
            switch fieldKind[field] {
            case .name:
                if position == Int(fieldStart[field]) {
                    tier = .nameStarts
                } else {
                    tier = Self.isWordByte(text[position - 1]) ? .nameContains : .wordStarts
                }
            case .keyword: tier = .keyword
            case .category: tier = .category
            }
            if tier.rawValue < best[owner] { best[owner] = tier.rawValue }
        }
        // Several words: a service where each word occurs somewhere matches too, last.
        let words = q.split(separator: 0x20).prefix(32)
        if words.count > 1 {
            var seen = [UInt32](repeating: 0, count: services.count)
            for (w, word) in words.enumerated() {
                occurrences(of: Array(word)) { field, _ in seen[Int(fieldOwner[field])] |= 1 << UInt32(w) }
            }
            let all: UInt32 = words.count == 32 ? .max : (1 << UInt32(words.count)) - 1
            for i in seen.indices where seen[i] == all && best[i] == Tier.none.rawValue { best[i] = Tier.allWords.rawValue }
        }

        let rank = nameRank[language] ?? []
        var hits: [Int64] = []
        for i in best.indices where best[i] != Tier.none.rawValue && admitted(i) {
            // Sort key: tier, then name rank, then (low bits) the index itself.
            hits.append(Int64(best[i]) << 48 | Int64(rank[i]) << 24 | Int64(i))
        }
        hits.sort()
        return hits.map { Int($0 & 0xFF_FFFF) }
    }

    /// Calls `body(field, position)` for every occurrence of `needle` (no 0 bytes) in `text`.
    private func occurrences(of needle: [UInt8], _ body: (Int, Int) -> Void) {
        let n = needle.count
        guard n > 0, n <= text.count else { return }
        if n >= 3 {
            // Only the texts holding the needle's rarest trigram can hold the needle.
            var rarest: Range<Int32>? = nil
            for j in 0...(n - 3) {
                let key = UInt32(needle[j]) << 16 | UInt32(needle[j + 1]) << 8 | UInt32(needle[j + 2])
                guard let range = trigrams[key] else { return }
                if rarest == nil || range.count < rarest!.count { rarest = range }
            }
            text.withUnsafeBufferPointer { buffer in
                needle.withUnsafeBufferPointer { needle in
                    let base = buffer.baseAddress!, first = needle[0]
                    for p in rarest! {
                        let field = Int(postings[Int(p)])
                        let start = Int(fieldStart[field]), end = Int(fieldEnd[field])
                        var at = start
                        while at + n <= end {
                            if buffer[at] == first, memcmp(base + at, needle.baseAddress!, n) == 0 { body(field, at) }
                            at += 1
                        }
                    }
                }
            }
            return
        }
        // Short needles: memchr for the rarer byte over the whole buffer, then compare.
        var pivot = 0
        if n == 2, byteCount[Int(needle[1])] < byteCount[Int(needle[0])] { pivot = 1 }
        guard byteCount[Int(needle[pivot])] > 0 else { return }
        let pivotByte = Int32(needle[pivot])
        text.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            let total = buffer.count
            var from = pivot
            var lastField = 0
            while from < total, let hit = memchr(base + from, pivotByte, total - from) {
                let at = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                from = at + 1
                let position = at - pivot
                guard position >= 0, position + n <= total, n == 1 || (buffer[position] == needle[0]
                        && buffer[position + 1] == needle[1]) else { continue }
                // The field holding `position`: the last one starting at or before it (hits come in order).
                var lo = lastField, hi = fieldStart.count
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if Int(fieldStart[mid]) <= position { lo = mid } else { hi = mid }
                }
                lastField = lo
                body(lo, position)
            }
        }
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
