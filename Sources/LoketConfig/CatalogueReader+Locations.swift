// Reading `locations.yaml`: places, their booking policy, opening rules, closures and
// one-off openings. Times and dates are read from the raw scalar text (see YAMLWalker).
import Foundation
import LoketCore
import Yams

extension CatalogueReader {
    func readLocations() -> [Location] {
        guard let (w, items) = entries(at: path("locations.yaml"), required: true, of: "locations") else { return [] }
        locationsRead = true
        var out: [Location] = []
        for (i, node) in items.enumerated() {
            if let location = readLocation(node, index: i, w) { out.append(location) }
        }
        return out
    }

    func readLocation(_ node: Node, index: Int, _ w: YAMLWalker) -> Location? {
        let owner = owner("location", node, index: index)
        guard let f = w.fields(node, of: owner, required: ["id", "name"], optional: [
            "address", "kind", "timeZone", "booking", "appointments", "walkIn", "closures", "extraOpenings", "videoBaseURL",
        ]) else { return nil }
        let id = f.slug("id")
        var ok = id != nil
        if let id, let idNode = f["id"] { ok = register(id, "location", at: idNode, in: &locationIDs, walker: w) && ok }
        let name = f.text("name")
        let address = f.string("address") ?? ""

        var kind = LocationKind.townHall
        if let text = f.string("kind") {
            if let k = LocationKind(rawValue: text) {
                kind = k
            } else {
                w.fail(f["kind"], "unknown kind '\(text)' in \(owner): expected town-hall, district, mobile or remote")
                ok = false
            }
        }

        var videoBaseURL: String?
        if let text = f.string("videoBaseURL") {
            if let url = URL(string: text), url.scheme?.lowercased() == "https", url.host != nil, url.query == nil {
                videoBaseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
            } else {
                w.fail(f["videoBaseURL"], "'videoBaseURL' of \(owner) must be an https URL such as https://meet.example.be, got '\(text)'")
                ok = false
            }
        }
        if kind == .remote, f["videoBaseURL"] == nil {
            w.fail(f["kind"], "\(owner) is a remote location: give its 'videoBaseURL' (the video service each appointment gets a room on)")
            ok = false
        }

        var timeZone = TimeZone.brussels
        if let text = f.string("timeZone") {
            if TimeZone.knownTimeZoneIdentifiers.contains(text) || ["UTC", "GMT"].contains(text), let tz = TimeZone(identifier: text) {
                timeZone = tz
            } else {
                w.fail(f["timeZone"], "unknown time zone '\(text)' in \(owner): expected an identifier such as Europe/Brussels")
                ok = false
            }
        }

        let booking: BookingPolicy? = f["booking"].map { readBooking($0, owner: owner, w) } ?? BookingPolicy()
        let appointments = readRules(f, "appointments", owner: owner, walkIn: false, w)
        let walkIn = readRules(f, "walkIn", owner: owner, walkIn: true, w)

        var closures: [Closure] = []
        if let items = f.list("closures") {
            for (i, item) in items.enumerated() {
                if let c = readClosure(item, owner: "closure #\(i + 1) of \(owner)", w) { closures.append(c) } else { ok = false }
            }
        }
        var extras: [ExtraOpening] = []
        if let items = f.list("extraOpenings") {
            for (i, item) in items.enumerated() {
                if let e = readExtraOpening(item, owner: "extra opening #\(i + 1) of \(owner)", w) { extras.append(e) } else { ok = false }
            }
        }

        guard ok, let id, let name, let booking, let appointments, let walkIn else { return nil }
        return Location(id: id, name: name, address: address, kind: kind, timeZone: timeZone,
                        appointmentHours: appointments, walkInHours: walkIn, closures: closures,
                        extraOpenings: extras, booking: booking, videoBaseURL: videoBaseURL)
    }

    /// The booking policy; nil when any value in it is wrong.
    func readBooking(_ node: Node, owner: String, _ w: YAMLWalker) -> BookingPolicy? {
        let d = BookingPolicy()
        guard let f = w.fields(node, of: "the booking policy of \(owner)", required: [], optional: [
            "slotMinutes", "leadMinutes", "horizonDays", "walkInReserve", "onlineShare", "cancelCooldownMinutes",
        ]) else { return nil }
        let slot = f["slotMinutes"] == nil ? d.slotMinutes : f.int("slotMinutes", 1...480)
        let lead = f["leadMinutes"] == nil ? d.leadMinutes : f.int("leadMinutes", 0...525_600)
        let horizon = f["horizonDays"] == nil ? d.horizonDays : f.int("horizonDays", 1...3650)
        let reserve = f["walkInReserve"] == nil ? d.walkInReserve : f.int("walkInReserve", 0...Int.max)
        let share = f["onlineShare"] == nil ? d.onlineShare : f.double("onlineShare", 0...1)
        let cooldown = f["cancelCooldownMinutes"] == nil ? d.cancelCooldownMinutes : f.int("cancelCooldownMinutes", 0...10_080)
        guard let slot, let lead, let horizon, let reserve, let share, let cooldown else { return nil }
        return BookingPolicy(slotMinutes: slot, leadMinutes: lead, horizonDays: horizon, walkInReserve: reserve,
                             onlineShare: share, cancelCooldownMinutes: cooldown)
    }

    /// The rules under `key` (empty when absent); nil when any of them is wrong.
    func readRules(_ f: Fields, _ key: String, owner: String, walkIn: Bool, _ w: YAMLWalker) -> [OpeningRule]? {
        guard f[key] != nil else { return [] }
        guard let items = f.list(key) else { return nil }
        var rules: [OpeningRule] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let rule = readRule(item, owner: "\(key) rule #\(i + 1) of \(owner)", walkIn: walkIn, w) {
                rules.append(rule)
            } else {
                ok = false
            }
        }
        return ok ? rules : nil
    }

    /// One recurring opening; `desks` is required for appointment rules and defaults to 1 for walk-in rules.
    func readRule(_ node: Node, owner: String, walkIn: Bool, _ w: YAMLWalker) -> OpeningRule? {
        let optional = ["validFrom", "validUntil", "everyWeeks", "weekAnchor", "groups"]
        guard let f = w.fields(node, of: owner, required: walkIn ? ["days", "hours"] : ["days", "hours", "desks"],
                               optional: walkIn ? optional + ["desks"] : optional) else { return nil }
        var ok = true
        var days: Set<Weekday> = []
        if let items = f.strings("days") {
            if items.isEmpty { w.fail(f["days"], "'days' in \(owner) must list at least one day"); ok = false }
            for (text, item) in items {
                if let day = Weekday(name: text) {
                    days.insert(day)
                } else {
                    w.fail(item, "unknown day '\(text)' in \(owner): expected mon, tue, wed, thu, fri, sat or sun")
                    ok = false
                }
            }
        }
        let ranges = f.ranges("hours")
        let desks = f["desks"] == nil ? 1 : f.int("desks", 1...1000)
        let from = f["validFrom"] == nil ? nil : f.date("validFrom")
        let until = f["validUntil"] == nil ? nil : f.date("validUntil")
        if let from, let until, until < from {
            w.fail(f["validUntil"], "'validUntil' \(until) is before 'validFrom' \(from) in \(owner)")
            ok = false
        }
        let every = f["everyWeeks"] == nil ? 1 : f.int("everyWeeks", 1...52)
        let anchor = f["weekAnchor"] == nil ? nil : f.date("weekAnchor")
        var groups: Set<String>?
        if let items = f.strings("groups") {
            if items.isEmpty { w.fail(f["groups"], "'groups' in \(owner) must list at least one group, or be left out"); ok = false }
            groups = Set(items.map(\.0))
            for (group, item) in items { ruleGroups.append((w, item, group, owner)) }
        }
        guard ok, !days.isEmpty, let ranges, let desks, let every,
              f["validFrom"] == nil || from != nil, f["validUntil"] == nil || until != nil,
              f["weekAnchor"] == nil || anchor != nil, f["groups"] == nil || groups != nil else { return nil }
        return OpeningRule(weekdays: days, ranges: ranges, validFrom: from, validUntil: until, everyWeeks: every,
                           weekAnchor: anchor, desks: desks, serviceGroups: groups)
    }

    func readClosure(_ node: Node, owner: String, _ w: YAMLWalker) -> Closure? {
        guard let f = w.fields(node, of: owner, required: ["from"], optional: ["until", "hours", "reason"]) else { return nil }
        let from = f.date("from")
        let until = f["until"] == nil ? from : f.date("until")
        if let from, let until, until < from {
            w.fail(f["until"], "'until' \(until) is before 'from' \(from) in \(owner)")
            return nil
        }
        let ranges = f["hours"] == nil ? nil : f.ranges("hours")
        let reason = f["reason"] == nil ? nil : f.text("reason")
        guard let from, let until, f["hours"] == nil || ranges != nil, f["reason"] == nil || reason != nil else { return nil }
        return Closure(from: from, until: until, ranges: ranges, reason: reason)
    }

    func readExtraOpening(_ node: Node, owner: String, _ w: YAMLWalker) -> ExtraOpening? {
        guard let f = w.fields(node, of: owner, required: ["date", "hours"],
                               optional: ["desks", "walkIn", "evenOnHoliday"]) else { return nil }
        let date = f.date("date")
        let ranges = f.ranges("hours")
        let desks = f["desks"] == nil ? 1 : f.int("desks", 1...1000)
        let walkIn = f["walkIn"] == nil ? false : f.bool("walkIn")
        let evenOnHoliday = f["evenOnHoliday"] == nil ? true : f.bool("evenOnHoliday")
        guard let date, let ranges, let desks, let walkIn, let evenOnHoliday else { return nil }
        return ExtraOpening(date: date, ranges: ranges, desks: desks, walkIn: walkIn, evenOnHoliday: evenOnHoliday)
    }
}
