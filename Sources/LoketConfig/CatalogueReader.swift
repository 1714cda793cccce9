// The state of one load of a config directory, and the reading of every file but
// `locations.yaml` (see CatalogueReader+Locations.swift).
//
// Files are read in dependency order (categories and locations before the services that
// name them, services before the counters whose profiles name them), so a reference is
// checked where it is written, with the mark of the node that holds it.
import Foundation
import LoketCore
import Yams

/// The state of one load: issues so far and the ids defined so far, per kind.
final class CatalogueReader {
    let directory: String
    let log = IssueLog()

    /// Category ids -> where they were first defined (`file:line`).
    var categoryIDs: [String: String] = [:]
    var locationIDs: [String: String] = [:]
    var serviceIDs: [String: String] = [:]
    var counterIDs: [String: String] = [:]
    /// The locations each service is offered at, to check counter profiles.
    var serviceLocations: [String: Set<String>] = [:]
    /// Whether the file defining each kind could be read; references into a kind whose file
    /// is missing or malformed are not checked, to avoid one issue per reference.
    var categoriesRead = false
    var locationsRead = false
    var servicesRead = false
    /// Service groups named by opening rules, checked once the services (which define groups) are read.
    /// Every group a service names, valid or not (to avoid follow-on issues).
    var serviceGroups: Set<String> = []
    var ruleGroups: [(walker: YAMLWalker, node: Node, group: String, owner: String)] = []

    init(directory: String) { self.directory = directory }

    /// `directory/name`, as shown in issues.
    func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    func read() -> Catalogue {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            log.add(ConfigIssue(file: directory, line: 0, column: 0, message: "config directory not found"))
            return Catalogue(settings: Settings(), categories: [], locations: [], services: [], counters: [])
        }
        let settings = readSettings()
        let categories = readCategories()
        let locations = readLocations()
        let services = readServices()
        if servicesRead {
            for ref in ruleGroups where !serviceGroups.contains(ref.group) {
                ref.walker.fail(ref.node, "unknown service group '\(ref.group)' in \(ref.owner): no service has this group")
            }
        }
        let counters = readCounters()
        return Catalogue(settings: settings, categories: categories, locations: locations, services: services,
                         counters: counters)
    }

    // MARK: Files

    /// The composed root of a file (nil root for an empty file); nil when the file is missing,
    /// unreadable or malformed, all of which are reported (a missing file only when `required`).
    func document(at file: String, required: Bool) -> (YAMLWalker, Node?)? {
        guard FileManager.default.fileExists(atPath: file) else {
            if required { log.add(ConfigIssue(file: file, line: 0, column: 0, message: "missing file")) }
            return nil
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            log.add(ConfigIssue(file: file, line: 0, column: 0, message: "cannot read file as UTF-8 text"))
            return nil
        }
        do {
            // The basic resolver tags every scalar a plain string. The walker reads raw scalar text
            // anyway (see YAMLWalker), and Yams' default resolver ran its type regexes on every key
            // it hashed for the duplicate-key check: a fifth of start-up with 700 services.
            return (YAMLWalker(file: file, log: log), try Yams.compose(yaml: text, .basic))
        } catch {
            log.add(Self.issue(for: error, in: file, text: text))
            return nil
        }
    }

    /// The entries of a file whose top level is a list; an empty file has none.
    func entries(at file: String, required: Bool, of kind: String) -> (YAMLWalker, [Node])? {
        guard let (walker, root) = document(at: file, required: required) else { return nil }
        guard let root, !walker.isNull(root) else { return (walker, []) }
        guard let items = walker.list(root, "the \(kind) (the top level of this file)") else { return nil }
        return (walker, items)
    }

    /// Turns a Yams parse error into an issue at the line Yams reports.
    static func issue(for error: Error, in file: String, text: String) -> ConfigIssue {
        func make(_ mark: Mark, _ message: String) -> ConfigIssue {
            ConfigIssue(file: file, line: mark.line, column: mark.column, message: message)
        }
        func detail(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return problem }
            return "\(problem) (\(context.text) at line \(context.mark.line))"
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _)?:
            return make(mark, "malformed YAML: " + detail(problem, context))
        case .parser(let context, let problem, let mark, _)?:
            return make(mark, "malformed YAML: " + detail(problem, context))
        case .composer(let context, let problem, let mark, _)?:
            return make(mark, "malformed YAML: " + detail(problem, context))
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return make(context.mark, "duplicate key \(keys) in one mapping")
        case .reader(let problem, let offset, _, _)?:
            var line = 0, column = 0
            if let offset {
                let prefix = text.prefix(offset)
                line = prefix.filter { $0 == "\n" }.count + 1
                column = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
            }
            return ConfigIssue(file: file, line: line, column: column, message: "unreadable YAML: \(problem)")
        default:
            return ConfigIssue(file: file, line: 0, column: 0, message: "malformed YAML: \(error)")
        }
    }

    // MARK: Ids

    /// `kind 'id'` when the entry has a readable id, else `kind #n`, for naming an entry in issues.
    func owner(_ kind: String, _ node: Node, index: Int) -> String {
        if let mapping = node.mapping {
            for (key, value) in mapping where key.scalar?.string == "id" {
                if let id = value.scalar?.string, !id.isEmpty { return "\(kind) '\(id)'" }
            }
        }
        return "\(kind) #\(index + 1)"
    }

    /// Records a new id; reports and returns false when `table` already has it.
    func register(_ id: String, _ kind: String, at node: Node, in table: inout [String: String],
                  walker: YAMLWalker) -> Bool {
        if let first = table[id] {
            walker.fail(node, "duplicate \(kind) id '\(id)' (first defined at \(first))")
            return false
        }
        table[id] = "\(walker.file):\(node.mark?.line ?? 0)"
        return true
    }

    // MARK: Settings

    func readSettings() -> Settings {
        let defaults = Settings()
        guard let (w, root) = document(at: path("settings.yaml"), required: true), let root, !w.isNull(root),
              let f = w.fields(root, of: "settings", required: [], optional: [
                  "municipality", "defaultLanguage", "displayLanguages", "publicBaseURL", "retentionDays",
                  "maxActivePerContact", "rateLimitPerMinute", "queue", "mail", "waitlist",
              ]) else { return defaults }
        var languages = defaults.displayLanguages
        if let items = f.list("displayLanguages") {
            if items.isEmpty { w.fail(f["displayLanguages"], "'displayLanguages' in settings must list at least one language") }
            languages = items.compactMap { w.language($0, "an entry of 'displayLanguages' in settings") }
        }
        var baseURL: String?
        if let text = f.string("publicBaseURL") {
            let url = URL(string: text)
            if let url, ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil {
                baseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
            } else {
                w.fail(f["publicBaseURL"], "'publicBaseURL' in settings must be an http(s) URL such as https://loket.example.be, got '\(text)'")
            }
        }
        return Settings(
            municipality: f.text("municipality") ?? defaults.municipality,
            defaultLanguage: f.language("defaultLanguage") ?? defaults.defaultLanguage,
            displayLanguages: languages,
            queue: f["queue"].map { readQueue($0, w) } ?? defaults.queue,
            retentionDays: f.int("retentionDays", 1...36500) ?? defaults.retentionDays,
            maxActivePerContact: f.int("maxActivePerContact", 1...1000) ?? defaults.maxActivePerContact,
            rateLimitPerMinute: f.int("rateLimitPerMinute", 1...1_000_000) ?? defaults.rateLimitPerMinute,
            publicBaseURL: baseURL,
            mail: f["mail"].map { readMail($0, w) } ?? defaults.mail,
            waitlist: f["waitlist"].map { readWaitlist($0, w) } ?? defaults.waitlist)
    }

    /// `waitlist: {holdMinutes, maxPerContact}`.
    func readWaitlist(_ node: Node, _ w: YAMLWalker) -> WaitlistPolicy {
        let d = WaitlistPolicy()
        guard let f = w.fields(node, of: "waitlist settings", required: [], optional: ["holdMinutes", "maxPerContact"]) else { return d }
        return WaitlistPolicy(holdMinutes: f.int("holdMinutes", 1...1440) ?? d.holdMinutes,
                              maxPerContact: f.int("maxPerContact", 1...100) ?? d.maxPerContact)
    }

    /// `mail: {from, fromName, replyTo, reminderHours}`.
    func readMail(_ node: Node, _ w: YAMLWalker) -> MailPolicy {
        let d = MailPolicy()
        guard let f = w.fields(node, of: "mail settings", required: ["from"], optional: ["fromName", "replyTo", "reminderHours"])
        else { return d }
        func address(_ key: String) -> String? {
            guard let text = f.string(key) else { return nil }
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !text.contains(where: { $0.isWhitespace || $0.isNewline }),
                  !text.contains(where: { "<>,;\"".contains($0) }) else {
                w.fail(f[key], "'\(key)' in mail settings must be one e-mail address such as loket@wilgendaal.be, got '\(text)'")
                return nil
            }
            return text
        }
        var hours = d.reminderHours
        if let items = f.list("reminderHours") {
            hours = items.compactMap { w.int($0, "an entry of 'reminderHours' in mail settings", 1...720) }
            if Set(hours).count != hours.count {
                w.fail(f["reminderHours"], "'reminderHours' in mail settings lists the same hour twice")
            }
        }
        var name = f.string("fromName")
        if let n = name, n.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true }) {
            w.fail(f["fromName"], "'fromName' in mail settings must be one line")
            name = nil
        }
        return MailPolicy(from: address("from") ?? d.from, fromName: name, replyTo: address("replyTo"),
                          reminderHours: hours.sorted(by: >))
    }

    func readQueue(_ node: Node, _ w: YAMLWalker) -> QueuePolicy {
        let d = QueuePolicy()
        guard let f = w.fields(node, of: "queue settings", required: [], optional: [
            "agingMinutesPerStep", "appointmentBoost", "priorityBoost", "checkInEarlyMinutes", "checkInLateMinutes",
            "recallLimit",
        ]) else { return d }
        return QueuePolicy(
            agingMinutesPerStep: f.int("agingMinutesPerStep", 1...1440) ?? d.agingMinutesPerStep,
            appointmentBoost: f.int("appointmentBoost", 0...1000) ?? d.appointmentBoost,
            priorityBoost: f.int("priorityBoost", 0...1000) ?? d.priorityBoost,
            checkInEarlyMinutes: f.int("checkInEarlyMinutes", 0...1440) ?? d.checkInEarlyMinutes,
            checkInLateMinutes: f.int("checkInLateMinutes", 0...1440) ?? d.checkInLateMinutes,
            recallLimit: f.int("recallLimit", 0...100) ?? d.recallLimit)
    }

    // MARK: Categories

    func readCategories() -> [Category] {
        guard let (w, items) = entries(at: path("categories.yaml"), required: true, of: "categories") else { return [] }
        categoriesRead = true
        var out: [Category] = []
        for (i, node) in items.enumerated() {
            let owner = owner("category", node, index: i)
            guard let f = w.fields(node, of: owner, required: ["id", "name"]) else { continue }
            let id = f.slug("id")
            if let id, let idNode = f["id"] { _ = register(id, "category", at: idNode, in: &categoryIDs, walker: w) }
            let name = f.text("name")
            if let id, let name { out.append(Category(id: id, name: name)) }
        }
        return out
    }

    // MARK: Services

    func readServices() -> [Service] {
        let single = path("services.yaml")
        let folder = path("services")
        var files: [String] = []
        if FileManager.default.fileExists(atPath: single) { files.append(single) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            files += names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
                .sorted()
                .map { (folder.hasSuffix("/") ? folder : folder + "/") + $0 }
        }
        guard !files.isEmpty else {
            log.add(ConfigIssue(file: single, line: 0, column: 0,
                                message: "missing file (the services go in services.yaml or in services/*.yaml)"))
            return []
        }
        servicesRead = true
        var out: [Service] = []
        for file in files {
            guard let (w, items) = entries(at: file, required: true, of: "services") else {
                servicesRead = false
                continue
            }
            for (i, node) in items.enumerated() {
                if let service = readService(node, index: i, w) { out.append(service) }
            }
        }
        return out
    }

    func readService(_ node: Node, index: Int, _ w: YAMLWalker) -> Service? {
        let owner = owner("service", node, index: index)
        guard let f = w.fields(node, of: owner, required: [
            "id", "name", "category", "durationMinutes", "channels", "prefix", "locations",
        ], optional: ["maxPersons", "bring", "group", "leadMinutes", "horizonDays", "keywords", "outcomes"]) else { return nil }

        let id = f.slug("id")
        var ok = id != nil
        if let id, let idNode = f["id"] { ok = register(id, "service", at: idNode, in: &serviceIDs, walker: w) && ok }

        let name = f.text("name")
        let category = f.string("category")
        if let category, categoriesRead, categoryIDs[category] == nil {
            w.fail(f["category"], "unknown category '\(category)' in \(owner)")
            ok = false
        }
        let duration = f.int("durationMinutes", 1...480)
        let maxPersons = f["maxPersons"] == nil ? 1 : f.int("maxPersons", 1...20)

        var channels: Set<Channel> = []
        if let items = f.strings("channels") {
            if items.isEmpty { w.fail(f["channels"], "'channels' in \(owner) must list at least one channel"); ok = false }
            for (text, item) in items {
                if let channel = Channel(rawValue: text) {
                    channels.insert(channel)
                } else {
                    w.fail(item, "unknown channel '\(text)' in \(owner): expected appointment or walkin")
                    ok = false
                }
            }
        }

        let prefix = f.string("prefix")
        if let prefix, !(1...2).contains(prefix.count) || !prefix.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) {
            w.fail(f["prefix"], "prefix '\(prefix)' in \(owner) must be one or two capital letters A-Z")
            ok = false
        }

        var locations: [String] = []
        if let items = f.strings("locations") {
            if items.isEmpty { w.fail(f["locations"], "'locations' in \(owner) must list at least one location"); ok = false }
            for (text, item) in items {
                if locationsRead, locationIDs[text] == nil {
                    w.fail(item, "unknown location '\(text)' in \(owner)")
                    ok = false
                } else if locations.contains(text) {
                    w.fail(item, "location '\(text)' listed twice in \(owner)")
                } else {
                    locations.append(text)
                }
            }
        }
        if let id { serviceLocations[id] = Set(locations) }

        let bring = f["bring"] == nil ? nil : f.text("bring")
        let group = f.string("group")
        if let group { serviceGroups.insert(group) }
        if let group, group.trimmingCharacters(in: .whitespaces).isEmpty {
            w.fail(f["group"], "'group' in \(owner) must not be blank")
        }
        let lead = f["leadMinutes"] == nil ? nil : f.int("leadMinutes", 0...525_600)
        let horizon = f["horizonDays"] == nil ? nil : f.int("horizonDays", 1...3650)
        let keywords = f.strings("keywords")?.map(\.0) ?? []
        let outcomes = f["outcomes"] == nil ? [] : readOutcomes(f, owner: owner, w)

        guard ok, let id, let name, let category, let duration, let maxPersons, let prefix,
              f["bring"] == nil || bring != nil, f["leadMinutes"] == nil || lead != nil,
              f["horizonDays"] == nil || horizon != nil, let outcomes else { return nil }
        return Service(id: id, name: name, category: category, durationMinutes: duration, maxPersons: maxPersons,
                       channels: channels, prefix: prefix, locations: locations, bring: bring, group: group,
                       leadMinutes: lead, horizonDays: horizon, keywords: keywords, outcomes: outcomes)
    }

    /// A service's `outcomes: [{id, name: {nl, fr, en, de}}]`: ids are slugs, unique within the service;
    /// nil when any entry is wrong (each problem reported at its node).
    func readOutcomes(_ f: Fields, owner: String, _ w: YAMLWalker) -> [ServiceOutcome]? {
        guard let items = f.list("outcomes") else { return nil }
        if items.isEmpty { w.fail(f["outcomes"], "'outcomes' in \(owner) must list at least one outcome, or be left out") }
        var out: [ServiceOutcome] = []
        var ok = !items.isEmpty
        var seen: Set<String> = []
        for (i, node) in items.enumerated() {
            let what = "outcome \(i + 1) of \(owner)"
            guard let o = w.fields(node, of: what, required: ["id", "name"]) else { ok = false; continue }
            let id = o.slug("id")
            let name = o.text("name")
            if let id, !seen.insert(id).inserted {
                w.fail(o["id"], "outcome '\(id)' listed twice in \(owner)")
                ok = false
            }
            if let id, id.count > 64 { w.fail(o["id"], "outcome id '\(id.prefix(20))…' in \(owner) is longer than 64 characters"); ok = false }
            guard let id, let name else { ok = false; continue }
            out.append(ServiceOutcome(id: id, name: name))
        }
        return ok ? out : nil
    }

    // MARK: Counters

    func readCounters() -> [Counter] {
        guard let (w, items) = entries(at: path("counters.yaml"), required: true, of: "counters") else { return [] }
        var out: [Counter] = []
        for (i, node) in items.enumerated() {
            let owner = owner("counter", node, index: i)
            guard let f = w.fields(node, of: owner, required: ["id", "location", "name", "profile"]) else { continue }
            let id = f.slug("id")
            var ok = id != nil
            if let id, let idNode = f["id"] { ok = register(id, "counter", at: idNode, in: &counterIDs, walker: w) && ok }
            let location = f.string("location")
            var locationKnown = location != nil && locationsRead
            if let location, locationsRead, locationIDs[location] == nil {
                w.fail(f["location"], "unknown location '\(location)' in \(owner)")
                ok = false
                locationKnown = false
            }
            let name = f.string("name")
            if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
                w.fail(f["name"], "'name' in \(owner) must not be blank")
                ok = false
            }
            var profile: [ProfileEntry] = []
            if let entries = f.strings("profile") {
                if entries.isEmpty { w.fail(f["profile"], "'profile' in \(owner) must list at least one entry"); ok = false }
                for (text, item) in entries {
                    if let entry = readProfileEntry(text, item, owner: owner, location: locationKnown ? location : nil, w) {
                        profile.append(entry)
                    } else {
                        ok = false
                    }
                }
            }
            if ok, let id, let location, let name { out.append(Counter(id: id, location: location, name: name, profile: profile)) }
        }
        return out
    }

    /// `service:<id>` or `category:<id>`, naming something that exists (and, for a service,
    /// is offered at the counter's location).
    func readProfileEntry(_ text: String, _ node: Node, owner: String, location: String?, _ w: YAMLWalker) -> ProfileEntry? {
        let parts = text.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[1].isEmpty else {
            w.fail(node, "invalid profile entry '\(text)' in \(owner): expected service:<id> or category:<id>")
            return nil
        }
        let id = parts[1]
        switch parts[0] {
        case "service":
            guard servicesRead else { return .service(id) }
            guard let offeredAt = serviceLocations[id], serviceIDs[id] != nil else {
                w.fail(node, "unknown service '\(id)' in the profile of \(owner)")
                return nil
            }
            if let location, !offeredAt.contains(location) {
                w.fail(node, "service '\(id)' in the profile of \(owner) is not offered at location '\(location)'")
                return nil
            }
            return .service(id)
        case "category":
            if categoriesRead, categoryIDs[id] == nil {
                w.fail(node, "unknown category '\(id)' in the profile of \(owner)")
                return nil
            }
            return .category(id)
        default:
            w.fail(node, "invalid profile entry '\(text)' in \(owner): expected service:<id> or category:<id>")
            return nil
        }
    }
}
