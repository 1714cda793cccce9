// Typed reading of a composed YAML tree that reports every problem with its position.
//
// The loader never lets Yams resolve types: a plain `2026-01-01` would become a timestamp
// and `08:30` a sexagesimal number in YAML 1.1. Every value is read from the raw scalar
// text of its `Node` and converted here, so each issue keeps the mark of the node it is about.
// Readers return nil when a value is absent or wrong; wrong values have been reported.
import Foundation
import LoketCore
import Yams

/// Collects issues across all files of one load.
final class IssueLog {
    private(set) var issues: [ConfigIssue] = []

    func add(_ issue: ConfigIssue) { issues.append(issue) }
}

/// Reads the nodes of one file and reports problems against that file.
struct YAMLWalker {
    /// The file as shown in issues, e.g. `config/services.yaml`.
    let file: String
    let log: IssueLog

    /// Reports `message` at `node`'s position (or at the top of the file when it has none).
    func fail(_ node: Node?, _ message: String) {
        let mark = node?.mark
        log.add(ConfigIssue(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message))
    }

    /// `key:` with nothing after it, `~` or `null`.
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let s) = node, s.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    /// The mapping `node`, checking that it has every required key and no unknown ones.
    func fields(_ node: Node, of owner: String, required: [String], optional: [String] = []) -> Fields? {
        guard let mapping = node.mapping else {
            fail(node, "expected a mapping for \(owner)")
            return nil
        }
        let allowed = required + optional
        var values: [String: Node] = [:]
        var present: Set<String> = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                fail(key, "expected a plain key in \(owner)")
                continue
            }
            guard allowed.contains(name) else {
                var message = "unknown key '\(name)' in \(owner)"
                if let guess = closest(to: name, among: allowed) { message += " (did you mean '\(guess)'?)" }
                fail(key, message)
                continue
            }
            present.insert(name)
            if isNull(value) {
                if required.contains(name) { fail(value, "missing value for '\(name)' in \(owner)") }
                continue
            }
            values[name] = value
        }
        for name in required where !present.contains(name) {
            fail(node, "missing key '\(name)' in \(owner)")
        }
        return Fields(walker: self, node: node, owner: owner, values: values)
    }

    /// The items of a sequence; reports anything else.
    func list(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let seq) = node else {
            fail(node, "expected a list for \(what)")
            return nil
        }
        return Array(seq)
    }

    /// The raw text of a scalar; reports mappings and lists.
    func string(_ node: Node, _ what: String) -> String? {
        guard let s = node.scalar else {
            fail(node, "expected text for \(what)")
            return nil
        }
        return s.string
    }

    /// A whole number within `range`.
    func int(_ node: Node, _ what: String, _ range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            fail(node, "expected a whole number for \(what), got '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            fail(node, "\(what) must be \(describe(range)), got \(value)")
            return nil
        }
        return value
    }

    /// A decimal number within `range`.
    func double(_ node: Node, _ what: String, _ range: ClosedRange<Double>) -> Double? {
        guard let text = string(node, what) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            fail(node, "expected a number for \(what), got '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            fail(node, "\(what) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    /// `true` or `false` (also `yes`/`no`, as YAML 1.1 authors write them).
    func bool(_ node: Node, _ what: String) -> Bool? {
        guard let text = string(node, what) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(node, "expected true or false for \(what), got '\(text)'")
            return nil
        }
    }

    /// A `YYYY-MM-DD` date that exists.
    func date(_ node: Node, _ what: String) -> CivilDate? {
        guard let text = string(node, what) else { return nil }
        guard let date = CivilDate(text.trimmingCharacters(in: .whitespaces)) else {
            fail(node, "invalid date '\(text)' for \(what): expected an existing date as YYYY-MM-DD")
            return nil
        }
        return date
    }

    /// A slug id: `[a-z0-9-]+`.
    func slug(_ node: Node, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        guard isSlug(text) else {
            fail(node, "invalid id '\(text)' for \(what): use lowercase letters, digits and '-'")
            return nil
        }
        return text
    }

    /// A list of texts, each with its node.
    func strings(_ node: Node, _ what: String) -> [(String, Node)]? {
        guard let items = list(node, what) else { return nil }
        var out: [(String, Node)] = []
        for item in items {
            if let s = string(item, "an entry of \(what)") { out.append((s, item)) }
        }
        return out
    }

    /// A non-empty list of `HH:MM-HH:MM` ranges that do not overlap, sorted by start.
    func ranges(_ node: Node, _ what: String) -> [TimeRange]? {
        guard let items = strings(node, what) else { return nil }
        guard !items.isEmpty else {
            fail(node, "\(what) must list at least one range")
            return nil
        }
        var parsed: [(TimeRange, Node)] = []
        var ok = true
        for (text, item) in items {
            if let range = TimeRange(text) {
                parsed.append((range, item))
            } else {
                fail(item, "invalid hours '\(text)' in \(what): expected HH:MM-HH:MM with the end after the start")
                ok = false
            }
        }
        parsed.sort { $0.0.start < $1.0.start }
        for (a, b) in zip(parsed, parsed.dropFirst()) where b.0.start < a.0.end {
            fail(b.1, "hours '\(b.0)' overlap '\(a.0)' in \(what)")
            ok = false
        }
        return ok ? parsed.map(\.0) : nil
    }

    /// One of our language codes.
    func language(_ node: Node, _ what: String) -> Language? {
        guard let text = string(node, what) else { return nil }
        guard let language = Language(rawValue: text) else {
            fail(node, "unknown language '\(text)' for \(what): expected one of nl, fr, en, de")
            return nil
        }
        return language
    }

    /// A `{nl: ..., fr: ..., en: ..., de: ...}` text; Dutch is required.
    func text(_ node: Node, _ what: String) -> LocalizedText? {
        guard let mapping = node.mapping else {
            fail(node, "expected a mapping of languages (nl, fr, en, de) for \(what)")
            return nil
        }
        var values: [Language: String] = [:]
        var ok = true
        for (key, value) in mapping {
            guard let tag = key.scalar?.string, let language = Language(rawValue: tag) else {
                fail(key, "unknown language '\(key.scalar?.string ?? "?")' in \(what): expected nl, fr, en or de")
                ok = false
                continue
            }
            if isNull(value) { continue }
            guard let s = string(value, "'\(tag)' of \(what)") else { ok = false; continue }
            values[language] = s
        }
        guard let nl = values[.nl], !nl.trimmingCharacters(in: .whitespaces).isEmpty else {
            fail(node, "\(what) needs at least a Dutch text ('nl')")
            return nil
        }
        return ok ? LocalizedText(values) : nil
    }

    private func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
    }
}

/// The values of one mapping, read by key; typed readers name the key and owner in issues.
struct Fields {
    let walker: YAMLWalker
    /// The mapping itself, for issues about it as a whole.
    let node: Node
    /// E.g. `service 'eid-aanvraag'`.
    let owner: String
    /// Present, non-null values by key.
    let values: [String: Node]

    subscript(_ key: String) -> Node? { values[key] }

    private func what(_ key: String) -> String { "'\(key)' in \(owner)" }

    func string(_ key: String) -> String? { values[key].flatMap { walker.string($0, what(key)) } }
    func int(_ key: String, _ range: ClosedRange<Int>) -> Int? { values[key].flatMap { walker.int($0, what(key), range) } }
    func double(_ key: String, _ range: ClosedRange<Double>) -> Double? {
        values[key].flatMap { walker.double($0, what(key), range) }
    }
    func bool(_ key: String) -> Bool? { values[key].flatMap { walker.bool($0, what(key)) } }
    func date(_ key: String) -> CivilDate? { values[key].flatMap { walker.date($0, what(key)) } }
    func slug(_ key: String) -> String? { values[key].flatMap { walker.slug($0, what(key)) } }
    func strings(_ key: String) -> [(String, Node)]? { values[key].flatMap { walker.strings($0, what(key)) } }
    func ranges(_ key: String) -> [TimeRange]? { values[key].flatMap { walker.ranges($0, what(key)) } }
    func text(_ key: String) -> LocalizedText? { values[key].flatMap { walker.text($0, what(key)) } }
    func language(_ key: String) -> Language? { values[key].flatMap { walker.language($0, what(key)) } }
    func list(_ key: String) -> [Node]? { values[key].flatMap { walker.list($0, what(key)) } }
}

/// `[a-z0-9-]+`.
func isSlug(_ text: String) -> Bool {
    !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
}

/// The allowed key nearest to a typo, if it is close enough to be a likely intent.
func closest(to name: String, among candidates: [String]) -> String? {
    func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
    let best = candidates.map { ($0, distance(name, $0)) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= max(2, name.count / 4) else { return nil }
    return best.0
}
