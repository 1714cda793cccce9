// The waitlist's request bodies and answers. Answers carry the entry's own facts only: never a
// name or address (the citizen's own page does not need them, the admin list must not show them).
import Foundation
import LoketCore

/// `POST /api/v1/waitlist`.
struct JoinWaitlistBody: Decodable {
    var service: String
    var location: String
    var from: CivilDate
    var to: CivilDate
    var persons: Int
    var email: String
    var name: String?
    var language: Language?

    init(from decoder: Decoder) throws {
        var f = try FieldReader(decoder)
        let service = f.string("service", maxLength: 64)
        let location = f.string("location", maxLength: 64)
        func date(_ key: String, _ f: inout FieldReader) -> CivilDate? {
            guard let text = f.string(key, maxLength: 10) else { return nil }
            guard let d = CivilDate(text) else {
                f.fail(key, "must be a real date written YYYY-MM-DD")
                return nil
            }
            return d
        }
        let from = date("from", &f)
        let to = date("to", &f)
        let persons = f.int("persons", required: false, range: 1...50)
        let email = f.string("email", maxLength: 254)
        if let email, !Contact.isEmail(email) { f.fail("email", "is not a valid e-mail address") }
        name = f.string("name", required: false, maxLength: 100)
        if let tag = f.string("lang", required: false, maxLength: 10) {
            language = Language(tag: tag)
            if language == nil { f.fail("lang", "must be nl, fr, en or de") }
        }
        try f.finish()
        self.service = service ?? ""
        self.location = location ?? ""
        self.from = from ?? CivilDate(dayNumber: 0)
        self.to = to ?? CivilDate(dayNumber: 0)
        self.persons = persons ?? 1
        self.email = email ?? ""
    }
}

/// The answer to joining: the entry's id and its token (shown once; mail carries the link).
struct WaitlistJoinedDTO: Encodable {
    var id: String
    var token: String
    var status: String
}

/// An offer: the held slot and when the hold ends.
struct WaitlistOfferDTO: Encodable {
    var start: String
    var end: String
    var expiresAt: String
}

/// A waitlist entry as its owner (`GET /api/v1/waitlist/{id}`) or the admin list sees it.
struct WaitlistEntryDTO: Encodable {
    var id: String
    var service: String
    var location: String
    var from: String
    var to: String
    var persons: Int
    var status: String
    /// Place in line for the service and location (1 = first); nil once the entry ended.
    var position: Int?
    var joinedAt: String
    /// The open offer (nil when none).
    var offer: WaitlistOfferDTO?
    /// For the owner only: names to show, the booked appointment's reference.
    var serviceName: String?
    var locationName: String?
    var appointment: String?
    /// The admin list leaves out the owner's extra fields.
    var forOwner: Bool

    enum CodingKeys: String, CodingKey {
        case id, service, location, from, to, persons, status, position, joinedAt, offer, serviceName, locationName, appointment
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(service, forKey: .service)
        try c.encode(location, forKey: .location)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(persons, forKey: .persons)
        try c.encode(status, forKey: .status)
        try c.encode(position, forKey: .position)  // null once ended
        try c.encode(joinedAt, forKey: .joinedAt)
        try c.encode(offer, forKey: .offer)        // null without an open offer
        if forOwner {
            try c.encode(serviceName, forKey: .serviceName)
            try c.encode(locationName, forKey: .locationName)
            try c.encode(appointment, forKey: .appointment)
        }
    }
}
