// Which failures are worth trying again.
//
// A message fails permanently only when the server refuses *this message or its addresses*: a
// 5xx answer to MAIL FROM, RCPT TO or DATA (including the answer after the message itself).
// Everything else is temporary and the outbox tries again with backoff: no connection, DNS,
// timeouts, TLS, any 4xx answer, and also 5xx answers about the relay rather than the message
// (the greeting, EHLO, STARTTLS, AUTH such as 535 bad credentials, 530 authentication required),
// because those are fixed by the office (a password, a setting) and every waiting message
// should then go out, not be marked failed one by one.

extension SMTPTransport {
    /// The error for a failed `curl_easy_perform`, from libcurl's message and the server's
    /// answer that libcurl stopped on (nil when there was none, e.g. no connection).
    static func classify(curlMessage: String, answer: SMTPAnswer?) -> MailDeliveryError {
        guard let answer else { return .temporary(curlMessage) }
        let detail = "\(answer.text) (\(curlMessage))"
        guard (500...599).contains(answer.code) else { return .temporary(detail) }
        switch answer.verb {
        case .mail, .rcpt, .data:
            return answer.code == 530 ? .temporary(detail) : .permanent(detail)
        case .greeting, .ehlo, .helo, .starttls, .auth, .rset, .quit, .noop:
            return .temporary(detail)
        }
    }
}
