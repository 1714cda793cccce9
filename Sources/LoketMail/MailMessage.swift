// Mail as values: one message to one citizen, its parts, and the transports that deliver it.
//
// LoketMail composes the messages Loket sends (in the citizen's language, as
// multipart/alternative with attachments) and delivers them through a `MailTransport`: SMTP
// through libcurl, or `.eml` files in a folder. It does no scheduling: the outbox in LoketStore
// and the sender in LoketServer decide what is sent when.
import Foundation

/// A mailbox: an address and an optional display name.
public struct MailAddress: Sendable, Hashable {
    public var name: String?
    public var address: String

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }
}

/// A file sent with a message: attached, or inline (referred to from the HTML by `contentID`).
public struct MailAttachment: Sendable, Hashable {
    public var filename: String
    /// e.g. `text/calendar; method=REQUEST; charset=utf-8`.
    public var contentType: String
    public var data: [UInt8]
    /// Set for an inline part (`cid:` in the HTML).
    public var contentID: String?

    public init(filename: String, contentType: String, data: [UInt8], contentID: String? = nil) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
        self.contentID = contentID
    }
}

/// One message, before it is written as RFC 5322 bytes.
public struct MailMessage: Sendable, Hashable {
    /// `<...@host>`, kept through every retry.
    public var messageID: String
    public var date: Date
    public var from: MailAddress
    public var replyTo: MailAddress?
    public var to: MailAddress
    public var subject: String
    /// The plain-text alternative.
    public var text: String
    /// The HTML alternative.
    public var html: String
    public var attachments: [MailAttachment]
    /// The language of the text (`nl`), sent as `Content-Language`; nil: not sent.
    public var language: String?

    public init(messageID: String, date: Date, from: MailAddress, replyTo: MailAddress?, to: MailAddress, subject: String,
                text: String, html: String, attachments: [MailAttachment] = [], language: String? = nil) {
        self.messageID = messageID
        self.date = date
        self.from = from
        self.replyTo = replyTo
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.language = language
    }
}

/// Why a delivery failed, and whether trying again may help.
public enum MailDeliveryError: Error, Sendable, Equatable {
    /// Try again later (connection refused, timeout, a 4xx answer): `detail` says what happened.
    case temporary(String)
    /// Do not try again (a 5xx answer, a refused address): `detail` carries the server's answer.
    case permanent(String)
}

/// Delivers rendered messages.
public protocol MailTransport: Sendable {
    /// Delivers `message` (RFC 5322 bytes with CRLF line ends) from `sender` to `recipients`.
    ///
    /// - Throws: `MailDeliveryError`.
    func deliver(_ message: [UInt8], messageID: String, from sender: String, to recipients: [String]) throws
}
