// The booking's answers: free slots and appointments.
import Foundation
import LoketCore

/// The head of an availability answer; `slots` ([{start, end, free}]) is appended as bytes by the handler.
struct AvailabilityDTO: Encodable {
    var location: String
    var items: [Appointment.Item]
    var durationMinutes: Int
    var from: String
    var to: String
}

/// An appointment as its citizen (or the office) sees it.
struct AppointmentDTO: Encodable {
    var reference: String
    /// Only in the answer to the booking itself.
    var manageToken: String?
    var location: String
    var locationName: String
    var address: String
    var service: String
    var serviceName: String
    var persons: Int
    var items: [ItemDTO]
    var start: String
    var end: String
    var durationMinutes: Int
    var status: String
    var name: String
    var email: String?
    var phone: String?
    var lang: String
    var createdAt: String
    /// What to bring, per service.
    var bring: [String]
    /// A video appointment's meeting link; only for the citizen (with the token) and staff.
    var meetingUrl: String?

    struct ItemDTO: Encodable {
        var service: String
        var serviceName: String
        var persons: Int
    }
}
