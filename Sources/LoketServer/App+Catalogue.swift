// Public catalogue routes: health, locations, categories, services search, OpenAPI, QR codes.
import Foundation
import LoketCore
import LoketHTTP
import LoketMail

struct LocationDTO: Encodable {
    var id: String
    var name: String
    var names: [String: String]
    var address: String
    var kind: String
    var timeZone: String
}

struct CategoryDTO: Encodable {
    var id: String
    var name: String
}

struct ServiceDTO: Encodable {
    var id: String
    var name: String
    var category: String
    var categoryName: String
    var durationMinutes: Int
    var maxPersons: Int
    var channels: [String]
    var locations: [String]
    var prefix: String
    var bring: String?
    /// How a visit may end, for the clerk's finish; absent when the service has none.
    var outcomes: [OutcomeDTO]?
}

/// One of a service's outcomes, named in the answer's language.
struct OutcomeDTO: Encodable {
    var id: String
    var name: String
}

extension App {
    static func registerCatalogueRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/health") { app, request in try app.health(request) }
        table.add(.GET, "/api/v1/locations") { app, request in
            let lang = app.language(request)
            return try JSONOut.response(app.catalogue.locations.map { app.locationDTO($0, lang) })
        }
        table.add(.GET, "/api/v1/locations/{id}") { app, request in
            try JSONOut.response(app.locationDTO(try app.location(request.parameter("id")), app.language(request)))
        }
        table.add(.GET, "/api/v1/categories") { app, request in
            let lang = app.language(request)
            return try JSONOut.response(app.catalogue.categories.map { CategoryDTO(id: $0.id, name: $0.name.resolve(lang)) })
        }
        table.add(.GET, "/api/v1/services") { app, request in try app.services(request) }
        table.add(.GET, "/api/v1/services/{id}") { app, request in
            try JSONOut.response(app.serviceDTO(try app.service(request.parameter("id")), app.language(request)))
        }
        table.add(.GET, "/api/v1/openapi.json") { _, _ in
            Response(contentType: "application/json", text: OpenAPI.document)
        }
        table.add(.GET, "/api/v1/qr.svg") { _, request in
            // At most 256 characters (code points, as the OpenAPI document counts them), so at most 1024 bytes.
            guard let data = request.query["data"], !data.isEmpty, data.unicodeScalars.count <= 256 else {
                throw LoketError(.invalid, "Give the text to encode in `data` (1 to 256 characters).", fields: ["data": "1 to 256 characters"])
            }
            guard let svg = QRCode.svg(for: data) else {
                throw LoketError(.invalid, "This text cannot be encoded as a QR code.", fields: ["data": "cannot be encoded"])
            }
            return Response(contentType: "image/svg+xml", text: svg, headers: [("Cache-Control", "public, max-age=86400")])
        }
    }

    private static let walkInOpenTrue = Array(",\"walkInOpenNow\":true}".utf8)
    private static let walkInOpenFalse = Array(",\"walkInOpenNow\":false}".utf8)

    func locationDTO(_ l: Location, _ lang: Language) -> LocationDTO {
        LocationDTO(id: l.id, name: l.name.resolve(lang),
                    names: Dictionary(uniqueKeysWithValues: l.name.values.map { ($0.key.rawValue, $0.value) }),
                    address: l.address, kind: l.kind.rawValue, timeZone: l.timeZone.identifier)
    }

    func serviceDTO(_ s: Service, _ lang: Language) -> ServiceDTO { App.serviceDTO(s, lang, catalogue) }

    static func serviceDTO(_ s: Service, _ lang: Language, _ catalogue: Catalogue) -> ServiceDTO {
        ServiceDTO(id: s.id, name: s.name.resolve(lang), category: s.category,
                   categoryName: catalogue.category(s.category)?.name.resolve(lang) ?? s.category,
                   durationMinutes: s.durationMinutes, maxPersons: s.maxPersons,
                   channels: Channel.allCases.filter { s.channels.contains($0) }.map(\.rawValue),
                   locations: s.locations, prefix: s.prefix, bring: s.bring?.resolve(lang),
                   outcomes: s.outcomes.isEmpty ? nil : s.outcomes.map { OutcomeDTO(id: $0.id, name: $0.name.resolve(lang)) })
    }

    /// `GET /api/v1/services?q=&location=&lang=&channel=`: ranked search; each service's JSON is cached per language.
    func services(_ request: Request) throws -> Response {
        // Before the config: an answer kept from it is replayed only while no other is put in force.
        let generation = generations.read()
        // One config throughout: the search's indices point into this catalogue and JSON cache.
        let office = self.office.withLock { $0 }
        let lang = language(request)
        let q = request.query["q"] ?? ""
        guard q.unicodeScalars.count <= 100 else {
            throw LoketError(.invalid, "The search text is too long (at most 100 characters).", fields: ["q": "too long"])
        }
        var channel: Channel?
        if let c = request.query["channel"] {
            guard let parsed = Channel(rawValue: c) else {
                throw LoketError(.invalid, "Channel must be appointment or walkin.", fields: ["channel": "unknown channel"])
            }
            channel = parsed
        }
        var categoryFilter: String?
        if let c = request.query["category"], !c.isEmpty {
            guard office.catalogue.category(c) != nil else {
                throw LoketError(.invalid, "There is no category '\(c.prefix(60))'.", fields: ["category": "unknown category"])
            }
            categoryFilter = c
        }
        var locationFilter: Location?
        if let l = request.query["location"], !l.isEmpty { locationFilter = try location(l) }
        // Without a location the answer depends on nothing that changes while this config is in force.
        // Looked up first as the client spelled it, then folded (see SearchAnswers).
        let rawKey = locationFilter == nil
            ? SearchKey(query: q, raw: true, language: lang, channel: channel, category: categoryFilter) : nil
        if let rawKey, let kept = office.searchAnswers[rawKey] { return kept }
        let key = rawKey.map { SearchKey(query: TextFolding.fold(q), language: $0.language, channel: $0.channel, category: $0.category) }
        if let key, let rawKey, let kept = office.searchAnswers[key] {
            office.searchAnswers.alias(rawKey, to: kept)
            return kept
        }
        let catalogue = office.catalogue
        var found = office.search.matches(q, language: lang, location: locationFilter?.id, channel: channel)
        if let categoryFilter { found = found.filter { catalogue.services[$0].category == categoryFilter } }
        let now = clock.now()
        // Runtime closures count for walkInOpenNow: one read, one calendar for the whole list.
        let calendar = try locationFilter.map { l in
            office.queueDesk.calendar(try store.read { try limited(l, from: now.addingTimeInterval(-86_400), to: now.addingTimeInterval(86_400), db: $0) })
        }
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(found.count * 300)
        let cache = office.serviceJSON[lang]!
        for (n, i) in found.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            if let calendar {
                // Close the cached object ourselves to add the live field.
                out.append(contentsOf: cache[i].dropLast())
                let open = calendar.isWalkInOpen(at: now, service: catalogue.services[i])
                out.append(contentsOf: open ? Self.walkInOpenTrue : Self.walkInOpenFalse)
            } else {
                out.append(contentsOf: cache[i])
            }
        }
        out.append(UInt8(ascii: "]"))
        guard let key, let rawKey else { return Self.searchResponse(out) }
        // The server may give it again to the same request, without this handler, while the config holds.
        let kept = Self.searchResponse(out).replayable(varyingOn: ["accept-language"]) { [generations] in
            generations.sameConfig(as: generation)
        }
        office.searchAnswers.keep(kept, bytes: out.count, for: key)
        // An answer too large to keep is not kept under an alias either: the bound counts its body once.
        if out.count <= office.searchAnswers.byteLimit { office.searchAnswers.alias(rawKey, to: kept) }
        return kept
    }

    static func searchResponse(_ body: [UInt8]) -> Response { JSONOut.response(bytes: body) }
}
