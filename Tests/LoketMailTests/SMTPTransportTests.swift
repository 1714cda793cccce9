// SMTPTransport against a real SMTP server (aiosmtpd, see SMTPServerProcess.swift): what arrives,
// and how each kind of failure is classified.
import Foundation
import Testing
@testable import LoketMail

@Suite(.enabled(if: SMTPServerProcess.enabled, SMTPServerProcess.skipReason))
struct SMTPTransportTests {
    /// A message with what SMTP is apt to mangle: lines that start with dots, 8-bit UTF-8, a
    /// last line with its CRLF, and (`filler`) enough bytes for several read callbacks.
    static func message(_ id: String, filler: Int = 0) -> [UInt8] {
        var text = "Message-ID: <\(id)@loket.test>\r\nFrom: Loket <loket@gemeente.test>\r\nTo: an@example.test\r\n"
            + "Subject: Afspraak bevestigd\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n\r\nGoedemorgen, uw afspraak in Sint-Niklaas is bevestigd: één persoon.\r\n"
            + ".a line that starts with a dot\r\n..and one with two\r\n.\r\n"
        var line = 0
        while text.utf8.count < filler {
            text += "Regel \(line): Wat mee te brengen: identiteitskaart, pasfoto, 25 euro.\r\n"
            line += 1
        }
        return Array((text + "Tot ziens.\r\n").utf8)
    }

    @Test func aMessageArrivesByteForByte() throws {
        let server = try SMTPServerProcess()
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil)
        let bytes = Self.message("one", filler: 200_000)

        try smtp.deliver(bytes, messageID: "<one@loket.test>", from: "loket@gemeente.test", to: ["an@example.test"])

        let received = try server.received()
        try #require(received.count == 1)
        #expect(received[0].from == "loket@gemeente.test")
        #expect(received[0].to == ["an@example.test"])
        #expect(received[0].data == bytes)
    }

    @Test func oneMessageReachesTwoRecipients() throws {
        let server = try SMTPServerProcess()
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil)

        try smtp.deliver(Self.message("two"), messageID: "<two@loket.test>", from: "loket@gemeente.test",
                         to: ["an@example.test", "bert@example.test"])

        let received = try server.received()
        #expect(received.count == 1)
        #expect(received.first?.to == ["an@example.test", "bert@example.test"])
    }

    @Test func manyThreadsShareOneTransport() throws {
        let server = try SMTPServerProcess()
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil)
        let failures = Failures()

        DispatchQueue.concurrentPerform(iterations: 6) { n in
            do {
                try smtp.deliver(Self.message("t\(n)"), messageID: "<t\(n)@loket.test>", from: "loket@gemeente.test",
                                 to: ["n\(n)@example.test"])
            } catch {
                failures.add(error)
            }
        }

        #expect(failures.all.isEmpty)
        #expect(try Set(server.received().flatMap(\.to)) == Set((0..<6).map { "n\($0)@example.test" }))
    }

    @Test func aRefusedConnectionIsTemporary() throws {
        let closed = try SMTPServerProcess()
        let port = closed.port
        closed.stop() // nothing listens there any more
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(port)", password: nil)

        let error = try deliveryError(smtp)
        guard case .temporary(let detail) = error else {
            Issue.record("expected temporary, got \(error)")
            return
        }
        #expect(detail.contains("127.0.0.1:\(port)"))
    }

    @Test func aServerThatNeverAnswersTimesOutAsTemporary() throws {
        let server = try SMTPServerProcess(["--mute"])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil, timeoutSeconds: 1)
        let started = Date()

        let error = try deliveryError(smtp)

        #expect(error.isTemporary, "\(error)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aRefusedMailboxIsPermanentWithTheServersText() throws {
        let server = try SMTPServerProcess(["--reject-rcpt", "550"])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil)

        let error = try deliveryError(smtp)

        guard case .permanent(let detail) = error else {
            Issue.record("expected permanent, got \(error)")
            return
        }
        #expect(detail.contains("550 5.1.1 Mailbox unavailable: no such user here"), "\(detail)")
        #expect(try server.received().isEmpty)
    }

    @Test(arguments: [("--reject-rcpt", "451"), ("--reject-rcpt", "450"), ("--reject-data", "451"), ("--reject-data", "452")])
    func a4xxAnswerIsTemporary(_ option: String, _ code: String) throws {
        let server = try SMTPServerProcess([option, code])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil)

        let error = try deliveryError(smtp)

        guard case .temporary(let detail) = error else {
            Issue.record("expected temporary, got \(error)")
            return
        }
        #expect(detail.hasPrefix(code), "\(detail)")
    }

    @Test func aMessageRefusedAfterDataIsPermanent() throws {
        let server = try SMTPServerProcess(["--reject-data", "554"])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil)

        let error = try deliveryError(smtp)

        #expect(error == .permanent(errorDetail(error)))
        #expect(errorDetail(error).contains("554 5.7.1 Transaction failed"), "\(error)")
    }

    // MARK: TLS

    @Test func startTLSWithATrustedCertificateDelivers() throws {
        let (cert, key) = try SMTPServerProcess.certificate()
        let server = try SMTPServerProcess(["--starttls", cert, key])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil,
                                     tls: .init(requireSTARTTLS: true, caFile: cert))
        let bytes = Self.message("tls")

        try smtp.deliver(bytes, messageID: "<tls@loket.test>", from: "loket@gemeente.test", to: ["an@example.test"])

        #expect(try server.received().map(\.data) == [bytes])
    }

    @Test func startTLSWithAnUntrustedCertificateFailsTemporarily() throws {
        let (cert, key) = try SMTPServerProcess.certificate()
        let server = try SMTPServerProcess(["--starttls", cert, key])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil)

        let error = try deliveryError(smtp)

        #expect(error.isTemporary, "\(error)")
        #expect(try server.received().isEmpty)
    }

    @Test func insecureSkipVerifyAcceptsTheUntrustedCertificate() throws {
        let (cert, key) = try SMTPServerProcess.certificate()
        let server = try SMTPServerProcess(["--starttls", cert, key])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil,
                                     tls: .init(requireSTARTTLS: true, insecureSkipVerify: true))

        try smtp.deliver(Self.message("skip"), messageID: "<skip@loket.test>", from: "loket@gemeente.test", to: ["an@example.test"])

        #expect(try server.received().count == 1)
    }

    @Test func requiredSTARTTLSThatIsNotOfferedFailsTemporarily() throws {
        let server = try SMTPServerProcess()
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)", password: nil, tls: .init(requireSTARTTLS: true))

        #expect(try deliveryError(smtp).isTemporary)
        #expect(try server.received().isEmpty)
    }

    @Test func smtpsSpeaksTLSFromTheFirstByte() throws {
        let (cert, key) = try SMTPServerProcess.certificate()
        let server = try SMTPServerProcess(["--implicit-tls", cert, key])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtps://127.0.0.1:\(server.port)", password: nil, tls: .init(caFile: cert))
        let bytes = Self.message("smtps")

        try smtp.deliver(bytes, messageID: "<smtps@loket.test>", from: "loket@gemeente.test", to: ["an@example.test"])

        #expect(try server.received().map(\.data) == [bytes])
    }

    // MARK: AUTH

    static let password = "Zeer-Geheim-W8woord!"

    @Test(arguments: ["PLAIN", "LOGIN"])
    func authOverSTARTTLSWithTheUserFromTheURL(_ mechanism: String) throws {
        let (cert, key) = try SMTPServerProcess.certificate()
        let server = try SMTPServerProcess(["--starttls", cert, key, "--require-auth", "loket@gemeente.test", Self.password,
                                            "--auth-mechanism", mechanism])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://loket%40gemeente.test@127.0.0.1:\(server.port)", password: Self.password,
                                     tls: .init(caFile: cert))

        try smtp.deliver(Self.message("auth"), messageID: "<auth@loket.test>", from: "loket@gemeente.test", to: ["an@example.test"])

        #expect(try server.received().count == 1)
        #expect(!String(describing: smtp).contains(Self.password))
        #expect(String(describing: smtp) == "SMTPTransport(smtp://loket%40gemeente.test@127.0.0.1:\(server.port))")
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func aWrongPasswordIsTemporaryAndNeverShown(_ mechanism: String) throws {
        let (cert, key) = try SMTPServerProcess.certificate()
        let server = try SMTPServerProcess(["--starttls", cert, key, "--require-auth", "loket@gemeente.test", "right",
                                            "--auth-mechanism", mechanism])
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://loket%40gemeente.test@127.0.0.1:\(server.port)", password: Self.password,
                                     tls: .init(caFile: cert))

        let error = try deliveryError(smtp)

        #expect(error.isTemporary, "\(error)")
        #expect(errorDetail(error).contains("535"), "\(error)")
        for text in [String(describing: error), String(reflecting: error), error.localizedDescription, String(describing: smtp)] {
            #expect(!text.contains(Self.password))
        }
        #expect(try server.received().isEmpty)
    }

    @Test func aPasswordIsNeverSentWithoutTLS() throws {
        let server = try SMTPServerProcess() // no STARTTLS on offer
        defer { server.stop() }
        let smtp = try SMTPTransport(url: "smtp://loket@127.0.0.1:\(server.port)", password: Self.password)

        let error = try deliveryError(smtp)

        #expect(error.isTemporary, "\(error)")
        #expect(!String(describing: error).contains(Self.password))
        #expect(try server.received().isEmpty)
    }

    /// The error `smtp` throws for a small message, failing the test if it throws none or another type.
    private func deliveryError(_ smtp: SMTPTransport) throws -> MailDeliveryError {
        do {
            try smtp.deliver(Self.message("fail"), messageID: "<fail@loket.test>", from: "loket@gemeente.test",
                             to: ["an@example.test"])
        } catch let error as MailDeliveryError {
            return error
        }
        throw SMTPServerError("the delivery succeeded where it should have failed")
    }
}
