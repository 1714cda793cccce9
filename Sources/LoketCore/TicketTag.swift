// What the public event stream says about a ticket instead of its id.
//
// A ticket's id is unguessable because it doubles as the citizen's link (`/t/{id}`): whoever has it
// sees the ticket's status. The location's event stream is public (every lobby display reads it),
// so its `called`, `recalled` and `ticket` events carry a tag instead: the first 9 bytes of the id's
// SHA-256, in base64url. The tag tells the events of one ticket apart and lets the ticket's own page
// (which gets the tag in its status answer, `eventTag`) find its events, but it cannot be turned
// back into the id: the id's 12 random bytes are far too many to try.
import Crypto

/// A ticket's public tag.
public enum TicketTag {
    /// The tag of the ticket with id `id`: 12 characters of base64url.
    public static func of(_ id: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(id.utf8))).prefix(9))
    }
}
