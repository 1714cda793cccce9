// What a typed or scanned line means: a service number, a booking reference, or nothing usable.
//
// A line of digits only (at most four) is the number of a service on the list; anything with a
// letter in it, or six digits, is read as a booking reference (`K7M-3QX`, `k7m3qx`, or a URL or
// QR payload ending in one) and checked with LoketCore's ``ReferenceCode`` before it goes out,
// so a typo is answered at once and never sent to the server.
import Foundation
import LoketCore

/// The meaning of one input line.
public enum KioskInput: Equatable, Sendable {
    /// Nothing typed.
    case empty
    /// The service with this number on the list (1-based).
    case service(Int)
    /// A valid booking reference, in its canonical `XXX-XXX` form.
    case reference(String)
    /// Looks like a reference but is not a valid one (a typo, a wrong check symbol).
    case invalidReference

    /// Longest line the kiosk keeps (a scanned URL fits).
    public static let maximumLength = 120

    /// Reads one line.
    public static func classify(_ line: String) -> KioskInput {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .empty }
        if trimmed.count <= 4, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(trimmed) {
            return .service(n)
        }
        if let reference = ReferenceCode.normalize(trimmed) { return .reference(reference) }
        return .invalidReference
    }

    /// Whether `c` may be typed into the line at all.
    public static func accepts(_ c: Character) -> Bool {
        guard c.isASCII else { return false }
        return c.isLetter || c.isNumber || "-/:=#.?&_ ".contains(c)
    }
}
