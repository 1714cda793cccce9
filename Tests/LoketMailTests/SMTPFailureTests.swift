// What the server answered to which command, and which failures are tried again: no network.
import Foundation
import Testing
@testable import LoketMail

@Suite struct SMTPFailureTests {
    /// Feeds a conversation to a transcript: `C:` lines as sent, `S:` lines as received, in
    /// chunks that split lines, as libcurl may.
    static func transcript(_ lines: [String]) -> SMTPTranscript {
        var transcript = SMTPTranscript()
        for line in lines {
            let bytes = Array(line.dropFirst(3).utf8) + [0x0D, 0x0A]
            if line.hasPrefix("C:") {
                bytes.withUnsafeBytes { transcript.sent($0) }
            } else {
                let middle = bytes.count / 2
                bytes[..<middle].withUnsafeBytes { transcript.received($0) }
                bytes[middle...].withUnsafeBytes { transcript.received($0) }
            }
        }
        return transcript
    }

    @Test func eachAnswerIsTiedToItsCommand() {
        let t = Self.transcript([
            "S: 220 mail.test ESMTP", "C: EHLO loket.test", "S: 250-mail.test", "S: 250-STARTTLS", "S: 250 HELP",
            "C: MAIL FROM:<loket@gemeente.test>", "S: 250 OK", "C: RCPT TO:<an@example.test>",
            "S: 550-5.1.1 The account you tried to reach", "S: 550 5.1.1 does not exist", "C: QUIT", "S: 221 Bye",
        ])
        #expect(t.answers.map(\.verb) == [.greeting, .ehlo, .mail, .rcpt, .quit])
        #expect(t.answer(withCode: 550) == SMTPAnswer(verb: .rcpt, code: 550, text: "550 5.1.1 The account you tried to reach 5.1.1 does not exist"))
        #expect(t.answer(withCode: 221) == nil) // QUIT's answer is never the failure
    }

    @Test func authContinuationLinesAreNeitherKeptNorTakenForCommands() {
        let t = Self.transcript([
            "S: 220 mail.test", "C: EHLO loket.test", "S: 250 AUTH LOGIN", "C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6",
            "C: bG9rZXQ=", "S: 334 UGFzc3dvcmQ6", "C: RATA", "S: 535 5.7.8 Authentication credentials invalid",
        ])
        #expect(t.answer(withCode: 535)?.verb == .auth)
        #expect(t.answers.allSatisfy { !$0.text.contains("bG9rZXQ=") && !$0.text.contains("RATA") })
    }

    @Test func theAnswerAfterTheMessageBelongsToData() {
        let t = Self.transcript(["S: 220 x", "C: DATA", "S: 354 go ahead", "S: 554 5.7.1 spam"])
        #expect(t.answer(withCode: 554)?.verb == .data)
    }

    @Test(arguments: [
        (SMTPVerb.rcpt, 550, false), (.rcpt, 553, false), (.mail, 550, false), (.data, 554, false), (.data, 552, false),
        (.mail, 530, true), (.rcpt, 451, true), (.rcpt, 450, true), (.data, 452, true), (.mail, 421, true),
        (.greeting, 554, true), (.ehlo, 502, true), (.starttls, 454, true), (.auth, 535, true), (.auth, 534, true),
    ])
    func classification(_ verb: SMTPVerb, _ code: Int, _ temporary: Bool) {
        let answer = SMTPAnswer(verb: verb, code: code, text: "\(code) the server's words")
        let error = SMTPTransport.classify(curlMessage: "relay:25: Failed", answer: answer)
        #expect(error.isTemporary == temporary)
        #expect(errorDetail(error) == "\(code) the server's words (relay:25: Failed)")
    }

    @Test func noAnswerIsTemporary() {
        #expect(SMTPTransport.classify(curlMessage: "relay:25: Couldn't connect to server", answer: nil)
            == .temporary("relay:25: Couldn't connect to server"))
    }

    @Test func anAddressWithALineBreakIsRefusedBeforeConnecting() throws {
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:9", password: nil)
        for (from, to) in [("loket@gemeente.test", "an@example.test>\r\nRCPT TO:<evil@x"), ("lo<ket@gemeente.test", "an@x"),
                           ("loket@gemeente.test", "a\u{0}b@x")] {
            #expect(throws: MailDeliveryError.permanent("an address of <x@y> holds a line break, a control character or <>")) {
                try smtp.deliver([], messageID: "<x@y>", from: from, to: [to])
            }
        }
        #expect(throws: MailDeliveryError.permanent("no recipient for <x@y>")) {
            try smtp.deliver([], messageID: "<x@y>", from: "loket@gemeente.test", to: [])
        }
    }

    @Test func aBadURLIsRefusedWhenTheTransportIsMade() {
        #expect(throws: SMTPURLError.unsupportedScheme("imap")) { try SMTPTransport(url: "imap://mail:143", password: "x") }
        #expect(throws: SMTPURLError.passwordInURL) { try SMTPTransport(url: "smtp://u:x@mail:25", password: nil) }
    }

    @Test func anUnknownHostIsTemporary() throws {
        let smtp = try SMTPTransport(url: "smtp://no-such-host.invalid:25", password: nil, timeoutSeconds: 3)
        #expect(throws: (any Error).self) {
            do {
                try smtp.deliver([], messageID: "<x@y>", from: "loket@gemeente.test", to: ["an@example.test"])
            } catch let error as MailDeliveryError {
                #expect(error.isTemporary, "\(error)")
                throw error
            }
        }
    }
}
