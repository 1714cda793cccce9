// The `--smtp` value: what is accepted, what is refused, and that no error repeats a password.
import Testing
@testable import LoketMail

@Suite struct SMTPURLTests {
    @Test(arguments: [
        ("smtp://mail.gemeente.be:587", SMTPURL.Scheme.smtp, "mail.gemeente.be", 587, nil as String?),
        ("smtp://mail.gemeente.be", .smtp, "mail.gemeente.be", 25, nil),
        ("smtps://mail.gemeente.be", .smtps, "mail.gemeente.be", 465, nil),
        ("SMTPS://relay:2465/", .smtps, "relay", 2465, nil),
        ("smtp://loket@relay:587", .smtp, "relay", 587, "loket"),
        ("smtp://loket%40gemeente.be@relay:587", .smtp, "relay", 587, "loket@gemeente.be"),
        ("smtp://127.0.0.1:2525", .smtp, "127.0.0.1", 2525, nil),
        ("smtp://[::1]:2525", .smtp, "::1", 2525, nil),
    ])
    func accepted(_ text: String, _ scheme: SMTPURL.Scheme, _ host: String, _ port: Int, _ user: String?) throws {
        let url = try SMTPURL(text)
        #expect(url.scheme == scheme)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.user == user)
    }

    @Test(arguments: [
        ("mail.gemeente.be:25", SMTPURLError.notAURL),
        ("http://mail.gemeente.be", .unsupportedScheme("http")),
        ("smtp+starttls://mail", .unsupportedScheme("smtp+starttls")),
        ("smtp://", .missingHost),
        ("smtp://:25", .missingHost),
        ("smtp://loket@:25", .missingHost),
        ("smtp://mail:0", .badPort),
        ("smtp://mail:65536", .badPort),
        ("smtp://mail:twentyfive", .badPort),
        ("smtp://mail:", .badPort),
        ("smtp://mail:25:26", .badPort),
        ("smtp://ma il:25", .unexpectedCharacters),
        ("smtp://mail:25?auth=plain", .unexpectedCharacters),
        ("smtp://ma\u{0}il:25", .badHost),
        ("smtp://[::1:25", .badHost),
        ("smtp://@mail:25", .badUser),
        ("smtp://bad%zzuser@mail:25", .badUser),
        ("smtp://mail:25/ehlo\u{7f}name", .badEHLOName),
    ])
    func refused(_ text: String, _ expected: SMTPURLError) {
        #expect(throws: expected) { try SMTPURL(text) }
    }

    @Test func aPasswordInTheURLIsRefusedAndNotRepeated() throws {
        let error = #expect(throws: SMTPURLError.passwordInURL) {
            try SMTPURL("smtp://loket:Zeer-Geheim@mail.gemeente.be:587")
        }
        #expect(!String(describing: error).contains("Zeer-Geheim"))
        #expect(String(describing: error).contains("LOKET_SMTP_PASSWORD"))
    }

    @Test func errorsNameTheProblemNotTheURL() {
        #expect(SMTPURLError.badPort.description == "invalid SMTP URL: the port is not a number from 1 to 65535")
        #expect(SMTPURLError.unsupportedScheme("http").description.contains("\"http\""))
    }

    @Test func theDescriptionShowsTheUserButNoPassword() throws {
        let url = try SMTPURL("smtp://loket%40gemeente.be@relay:587/loket.gemeente.be")
        #expect(url.description == "smtp://loket%40gemeente.be@relay:587/loket.gemeente.be")
        #expect(url.ehloName == "loket.gemeente.be")
    }

    @Test func libcurlGetsNoUserAndAnEHLOName() throws {
        #expect(try SMTPURL("smtps://loket@relay:465/loket.gemeente.be").curlURL == "smtps://relay:465/loket.gemeente.be")
        #expect(try SMTPURL("smtp://[::1]:2525").curlURL.hasPrefix("smtp://[::1]:2525/"))
    }
}
