// What the SMTP server answered, and to which command, read from libcurl's debug stream.
//
// libcurl reports a failed command only as a number ("RCPT failed: 550"); the server's text
// ("550 5.1.1 no such user") and the command it answered are needed to tell the admin why a
// message failed and whether to try again. libcurl's debug callback sees each line the client
// sends (CURLINFO_HEADER_OUT) and each line the server answers (CURLINFO_HEADER_IN); this keeps
// only the verb of each command from a fixed list, never the rest of a client line, because
// `AUTH PLAIN <base64>` and the lines after `AUTH LOGIN` carry the credentials.

/// The SMTP commands whose answers decide how a failure is classified.
enum SMTPVerb: String, Sendable {
    case greeting, ehlo = "EHLO", helo = "HELO", starttls = "STARTTLS", auth = "AUTH"
    case mail = "MAIL", rcpt = "RCPT", data = "DATA", rset = "RSET", quit = "QUIT", noop = "NOOP"
}

/// One complete answer of the server (all lines of a multi-line answer).
struct SMTPAnswer: Sendable, Equatable {
    /// The command it answers; `.data` also for the answer after the message itself.
    var verb: SMTPVerb
    /// The three-digit code, e.g. 550.
    var code: Int
    /// The lines joined with a space, the code written once: `550 5.1.1 No such user`.
    var text: String
}

/// The answers of one delivery, fed line by line. Not thread-safe: one per delivery.
struct SMTPTranscript {
    /// The command the next answer is for; AUTH continuation lines do not change it.
    private(set) var verb: SMTPVerb = .greeting
    /// Every complete answer, oldest first, at most `limit` (the newest kept).
    private(set) var answers: [SMTPAnswer] = []
    /// The lines of a multi-line answer so far.
    private var pending: [Substring] = []
    /// Bytes of a server line that has not ended yet.
    private var partialIn: [UInt8] = []
    private let limit = 32
    /// The longest answer text kept, so a chatty server cannot fill memory or a log.
    private let textLimit = 1000

    /// A line (or lines) the client sent: only a known verb is looked at.
    mutating func sent(_ bytes: UnsafeRawBufferPointer) {
        let word = bytes.prefix(while: { $0 != 0x20 && $0 != 0x0D && $0 != 0x0A }).prefix(8)
        let upper = String(decoding: word, as: UTF8.self).uppercased()
        // A line that is no verb (the base64 lines of AUTH LOGIN) belongs to the command before.
        if let known = SMTPVerb(rawValue: upper), known != .greeting { verb = known }
    }

    /// Bytes the server sent; complete answers are recorded.
    mutating func received(_ bytes: UnsafeRawBufferPointer) {
        partialIn.append(contentsOf: bytes)
        while let newline = partialIn.firstIndex(of: 0x0A) {
            var line = partialIn[..<newline]
            if line.last == 0x0D { line = line.dropLast() }
            receivedLine(String(decoding: line, as: UTF8.self))
            partialIn.removeSubrange(...newline)
        }
        if partialIn.count > textLimit { partialIn.removeAll() }
    }

    /// The newest answer with `code` to a command other than QUIT: the one libcurl failed on.
    func answer(withCode code: Int) -> SMTPAnswer? {
        answers.last { $0.code == code && $0.verb != .quit }
    }

    private mutating func receivedLine(_ line: String) {
        let chars = Array(line.utf8)
        guard chars.count >= 3, chars[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(String(decoding: chars[0...2], as: UTF8.self)) else {
            return // not an SMTP answer line; libcurl passes only those, but be safe
        }
        let last = chars.count == 3 || chars[3] != UInt8(ascii: "-")
        pending.append(Substring(line))
        guard last else {
            if pending.count > 20 { pending.removeFirst() }
            return
        }
        var text = String(pending[0])
        for more in pending.dropFirst() {
            text += " " + more.dropFirst(4)
        }
        if text.count > 4, text.utf8.dropFirst(3).first == UInt8(ascii: "-") {
            text = String(text.prefix(3)) + " " + text.dropFirst(4)
        }
        if text.count > textLimit { text = String(text.prefix(textLimit)) + "…" }
        pending.removeAll()
        answers.append(SMTPAnswer(verb: verb, code: code, text: text))
        if answers.count > limit { answers.removeFirst() }
    }
}
