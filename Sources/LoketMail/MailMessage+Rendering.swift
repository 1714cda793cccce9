// A `MailMessage` as the bytes a transport sends (RFC 5322, MIME).
//
// The tree is as small as the message allows:
//
//     multipart/mixed                       only when there are attachments
//       multipart/related                   only when there are inline parts (cid:)
//         multipart/alternative
//           text/plain; charset=utf-8       quoted-printable
//           text/html; charset=utf-8        quoted-printable
//         image/png ...                     base64, Content-ID, inline
//       text/calendar ...                   base64, attachment
//
// Boundaries start with `=_`, which neither quoted-printable nor base64 can produce, so no body
// can contain one; they are derived from the Message-ID, so the structure of one message is the
// same on every retry (its Date and the calendar's DTSTAMP are those of the attempt). Every header value passes through `MIMEEncoding`, which neutralises
// control characters: a CR or LF in a name, address or subject cannot start a header line.

extension MailMessage {
    /// RFC 5322 bytes with CRLF line ends: 7-bit, header lines of at most 78 octets where the values
    /// allow (a long address or content type may make one longer), body lines of at most 76.
    public func rendered() -> [UInt8] {
        var headers = [
            MIMEEncoding.field("Date", MIMEEncoding.date(date)),
            MIMEEncoding.field("Message-ID", Self.messageIDField(messageID)),
            MIMEEncoding.mailbox("From", from),
        ]
        if let replyTo { headers.append(MIMEEncoding.mailbox("Reply-To", replyTo)) }
        headers += [
            MIMEEncoding.mailbox("To", to),
            MIMEEncoding.unstructured("Subject", subject),
            "MIME-Version: 1.0",
        ]
        if let language, !language.isEmpty { headers.append(MIMEEncoding.field("Content-Language", MIMEEncoding.address(language))) }
        headers.append("Auto-Submitted: auto-generated")

        let tag = Self.boundaryTag(messageID)
        var body = Part(headers: [
            "Content-Type: multipart/alternative; boundary=\"=_alt_\(tag)\"",
        ], body: Self.multipart("=_alt_\(tag)", [
            Part(headers: ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
                 body: MIMEEncoding.quotedPrintable(text)),
            Part(headers: ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
                 body: MIMEEncoding.quotedPrintable(html)),
        ]))
        let inline = attachments.filter { $0.contentID != nil }
        if !inline.isEmpty {
            body = Part(headers: [
                "Content-Type: multipart/related; type=\"multipart/alternative\";\r\n boundary=\"=_rel_\(tag)\"",
            ], body: Self.multipart("=_rel_\(tag)", [body] + inline.map(Self.part)))
        }
        let files = attachments.filter { $0.contentID == nil }
        if !files.isEmpty {
            body = Part(headers: ["Content-Type: multipart/mixed; boundary=\"=_mix_\(tag)\""],
                        body: Self.multipart("=_mix_\(tag)", [body] + files.map(Self.part)))
        }
        let message = (headers + body.headers).joined(separator: "\r\n") + "\r\n\r\n" + body.body + "\r\n"
        return Array(message.utf8)
    }

    /// A MIME entity: its header lines (already encoded) and its encoded body.
    private struct Part {
        var headers: [String]
        var body: String
    }

    private static func multipart(_ boundary: String, _ parts: [Part]) -> String {
        parts.map { "--\(boundary)\r\n" + $0.headers.joined(separator: "\r\n") + "\r\n\r\n" + $0.body + "\r\n" }.joined()
            + "--\(boundary)--"
    }

    private static func part(_ a: MailAttachment) -> Part {
        var headers = [MIMEEncoding.fold("Content-Type: " + MIMEEncoding.oneLine(a.contentType) + "; "
                                         + MIMEEncoding.parameter("name", a.filename)),
                       "Content-Transfer-Encoding: base64"]
        if let id = a.contentID {
            headers.append(MIMEEncoding.field("Content-ID", "<" + MIMEEncoding.address(id) + ">"))
            headers.append(MIMEEncoding.fold("Content-Disposition: inline; " + MIMEEncoding.parameter("filename", a.filename)))
        } else {
            headers.append(MIMEEncoding.fold("Content-Disposition: attachment; " + MIMEEncoding.parameter("filename", a.filename)))
        }
        return Part(headers: headers, body: MIMEEncoding.base64(a.data))
    }

    /// `<id@host>`: the given id without control characters, spaces or brackets, in angle brackets.
    private static func messageIDField(_ id: String) -> String {
        let kept = id.unicodeScalars.filter {
            !MIMEEncoding.isControl($0) && !$0.properties.isWhitespace && $0 != "<" && $0 != ">"
        }
        return "<" + String(String.UnicodeScalarView(kept)) + ">"
    }

    /// 16 hex digits of FNV-1a over the Message-ID: the same boundaries on every retry.
    private static func boundaryTag(_ id: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
