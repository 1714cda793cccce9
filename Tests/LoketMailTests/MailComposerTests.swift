// The mails a citizen gets: every kind in every language, what each says, its links, its QR
// code and calendar file; times in the location's zone, across the change to summer time.
import Foundation
import LoketCore
import Testing
@testable import LoketMail

extension MailFixture {
    static let settings = MailSettings(from: MailAddress("loket@wilgendaal.be"),
                                       replyTo: MailAddress("burgerzaken@wilgendaal.be", name: "Dienst Burgerzaken"),
                                       publicURL: "https://loket.wilgendaal.be/")
    static let composer = MailComposer(catalogue: catalogue, settings: settings)

    /// A booking at the town hall, Tuesday 1 December 2026 at 10:30, for one eID.
    static func mail(_ kind: MailKind, _ language: Language = .nl, sequence: Int = 0) -> AppointmentMail {
        AppointmentMail(kind: kind, reference: reference, manageToken: token, location: "stadhuis",
                        items: [Appointment.Item(service: "eid", persons: 1)], start: tuesday1030, end: tuesday1045,
                        previousStart: kind == .moved ? instant("2026-11-27T09:00:00+01:00") : nil,  // a Friday
                        language: language, name: "Élise Van den Broeck", email: "elise@example.be", sequence: sequence)
    }

    /// A video appointment (remote location, meeting link), Monday 29 March 2027 at 10:00.
    static func videoMail(_ kind: MailKind, _ language: Language = .nl) -> AppointmentMail {
        AppointmentMail(kind: kind, reference: "V2A-9KP", manageToken: token, location: "video-loket",
                        items: [Appointment.Item(service: "advies", persons: 1)], start: monday1000,
                        end: instant("2027-03-29T10:30:00+02:00"), language: language, name: "Jan Peeters",
                        email: "jan@example.be", sequence: 0, meetingURL: meeting)
    }
}

@Suite struct MailComposerTests {
    typealias F = MailFixture

    /// Composes, renders and reads back `mail`, checking what every message must satisfy.
    static func read(_ mail: AppointmentMail, composer: MailComposer = F.composer) -> (MailMessage, Entity) {
        let message = composer.compose(mail, messageID: "<m1@loket.wilgendaal.be>", now: F.now)
        let bytes = message.rendered()
        MailRenderingTests.checkLines(bytes)
        return (message, Reader.parse(bytes))
    }

    @Test(arguments: MailKind.allCases, Language.allCases)
    func everyKindRendersInEveryLanguage(kind: MailKind, language: Language) throws {
        let (message, m) = Self.read(F.mail(kind, language, sequence: kind == .booked ? 0 : 1))
        #expect(m.header("Date") == "Mon, 30 Nov 2026 07:00:00 +0000")
        #expect(m.header("Message-ID") == "<m1@loket.wilgendaal.be>")
        #expect(m.header("Content-Language") == language.rawValue)
        #expect(m.header("Auto-Submitted") == "auto-generated")
        #expect(m.header("MIME-Version") == "1.0")
        #expect(m.header("Reply-To") == "Dienst Burgerzaken <burgerzaken@wilgendaal.be>")
        let from = try #require(m.header("From"))
        #expect(Reader.decodeWords(from) == "\(F.municipality.resolve(language)) <loket@wilgendaal.be>")
        #expect(Reader.decodeWords(try #require(m.header("To"))) == "Élise Van den Broeck <elise@example.be>")
        let subject = Reader.decodeWords(try #require(m.header("Subject")))
        #expect(subject == message.subject)
        #expect(subject.hasSuffix(" – " + F.eid.name.resolve(language)))

        // multipart/mixed [ related [ alternative [ text, html ], png ]?, ics ]
        #expect(m.mediaType == "multipart/mixed")
        let alternative = try #require(m.first("multipart/alternative"))
        #expect(alternative.parts.map(\.mediaType) == ["text/plain", "text/html"])
        #expect(alternative.parts.allSatisfy { $0.header("Content-Transfer-Encoding") == "quoted-printable" })
        #expect(alternative.parts.allSatisfy { $0.parameter("charset") == "utf-8" })
        let text = try #require(m.first("text/plain")).text
        let html = try #require(m.first("text/html")).text
        // Line ends travel as CRLF.
        #expect(text == message.text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(html == message.html.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(html.contains("<html lang=\"\(language.rawValue)\">"))
        #expect(html.contains("<h1") && html.contains("<h2") && html.contains("<th scope=\"row\""))
        #expect(text.contains(F.reference) && html.contains(F.reference))
        #expect(text.contains(F.municipality.resolve(language)))

        let ics = try #require(m.first("text/calendar"))
        #expect(ics.header("Content-Disposition")?.hasPrefix("attachment;") == true)
        let lines = ICalendarTests.unfolded(ics.text)
        #expect(lines.contains("UID:K7M-3QX@loket"))
        #expect(lines.contains("SEQUENCE:\(kind == .booked ? 0 : 1)"))
        #expect(lines.contains("DTSTART:20261201T093000Z"))
        #expect(lines.contains("METHOD:\(kind == .cancelled ? "CANCEL" : "REQUEST")"))
        #expect(ics.parameter("method") == (kind == .cancelled ? "CANCEL" : "REQUEST"))

        let qr = m.first("image/png")
        if kind == .cancelled {
            #expect(qr == nil, "a cancelled appointment cannot be checked in")
            #expect(!text.contains(F.token) && !html.contains(F.token), "no manage link once cancelled")
        } else {
            let png = try #require(qr)
            #expect(png.data == QRCode.png(for: F.reference, scale: 6), "the QR code is of the reference alone")
            let id = try #require(png.header("Content-ID")).dropFirst().dropLast()
            #expect(html.contains("<img src=\"cid:\(id)\" alt=\""))
            #expect(text.contains("https://loket.wilgendaal.be/book?ref=K7M-3QX&token=\(F.token)&lang=\(language.rawValue)"))
            #expect(html.contains("https://loket.wilgendaal.be/book?ref=K7M-3QX&amp;token=\(F.token)&amp;lang=\(language.rawValue)"))
        }
        // The token is in the manage link only: never in an attachment.
        for part in m.all where part.mediaType != "text/plain" && part.mediaType != "text/html" && part.parts.isEmpty {
            #expect(!String(decoding: part.data, as: UTF8.self).contains(F.token), "\(part.mediaType) holds the token")
        }
    }

    @Test func dutchSubjectsAndTimes() {
        #expect(Self.read(F.mail(.moved)).0.subject == "Wijziging afspraak – Identiteitskaart (eID)")
        let (booked, _) = Self.read(F.mail(.booked))
        #expect(booked.subject == "Bevestiging afspraak – Identiteitskaart (eID)")
        // 2026-12-01 is a Tuesday.
        #expect(booked.text.contains("dinsdag 1 december 2026 om 10:30"))
        #expect(booked.text.contains("15 minuten"))
        #expect(booked.text.contains("Uw oude identiteitskaart en een recente pasfoto."))
        #expect(booked.text.contains("Stadhuis Wilgendaal") && booked.text.contains("Markt 1, 9999 Wilgendaal"))
        #expect(booked.text.hasPrefix("Uw afspraak is bevestigd\n========================\n\nBeste Élise Van den Broeck,"))
        #expect(booked.html.contains("<title>Bevestiging afspraak – Identiteitskaart (eID)</title>"))
    }

    @Test(arguments: [
        (Language.nl, "dinsdag 1 december 2026 om 10:30"),
        (.fr, "mardi 1er décembre 2026 à 10\u{A0}h\u{A0}30"),
        (.en, "Tuesday 1 December 2026 at 10:30"),
        (.de, "Dienstag, 1. Dezember 2026 um 10:30 Uhr"),
    ])
    func datesAreWrittenForPeople(language: Language, expected: String) {
        // 2026-12-01 is a Tuesday.
        let (message, _) = Self.read(F.mail(.booked, language))
        #expect(message.text.contains(expected))
        #expect(message.html.contains(expected))
    }

    @Test func wordingOfNumbers() {
        let nl = MailWording.of(.nl), fr = MailWording.of(.fr), en = MailWording.of(.en), de = MailWording.of(.de)
        #expect([nl.minutes(1), nl.minutes(45), nl.minutes(60), nl.minutes(90)] == ["1 minuut", "45 minuten", "1 uur", "1 uur en 30 minuten"])
        #expect([fr.minutes(120), fr.minutes(61)] == ["2 heures", "1 heure et 1 minute"])
        #expect([en.minutes(60), en.minutes(75)] == ["1 hour", "1 hour and 15 minutes"])
        #expect([de.minutes(30), de.minutes(150)] == ["30 Minuten", "2 Stunden und 30 Minuten"])
        // 2027-01-02 is a Saturday.
        let saturday = CivilDate("2027-01-02")!, nine = TimeOfDay(hour: 9, minute: 5)!
        #expect(nl.dateTime(saturday, nine) == "zaterdag 2 januari 2027 om 9:05")
        #expect(fr.dateTime(saturday, nine) == "samedi 2 janvier 2027 à 9\u{A0}h\u{A0}05")
        #expect(fr.dateTime(saturday, TimeOfDay(hour: 14, minute: 0)!) == "samedi 2 janvier 2027 à 14\u{A0}h")
        #expect(de.dateTime(saturday, nine) == "Samstag, 2. Januar 2027 um 9:05 Uhr")
        #expect(en.forPersons(2) == "for 2 people" && de.forPersons(3) == "für 3 Personen")
    }

    @Test func aMoveAcrossTheChangeToSummerTime() throws {
        // From Friday 2027-03-26 10:00 (+01:00) to Monday 2027-03-29 10:00 (+02:00): Sunday 2027-03-28 is the change.
        #expect(CivilDate("2027-03-26")!.weekday == .friday && CivilDate("2027-03-29")!.weekday == .monday)
        var mail = F.mail(.moved, .nl, sequence: 2)
        mail.previousStart = F.friday1000
        mail.start = F.monday1000
        mail.end = F.monday1020
        mail.items = [Appointment.Item(service: "eid", persons: 2), Appointment.Item(service: "reispas", persons: 1)]
        let (message, m) = Self.read(mail)
        #expect(message.text.contains("Nieuw tijdstip: maandag 29 maart 2027 om 10:00"))
        #expect(message.text.contains("Vorig tijdstip: vrijdag 26 maart 2027 om 10:00"))
        #expect(message.text.contains("20 minuten"))
        #expect(message.subject == "Wijziging afspraak – Identiteitskaart (eID) voor 2 personen, Reispas")
        #expect(message.text.contains("- Identiteitskaart (eID): Uw oude identiteitskaart en een recente pasfoto."))
        #expect(message.text.contains("- Reispas: Een recente pasfoto."))
        let lines = ICalendarTests.unfolded(try #require(m.first("text/calendar")).text)
        #expect(lines.contains("UID:K7M-3QX@loket"))
        #expect(lines.contains("SEQUENCE:2"))
        #expect(lines.contains("DTSTART:20270329T080000Z"))
        #expect(lines.contains("DTEND:20270329T082000Z"))
    }

    @Test func anOfficeCancellationApologisesGivesTheReasonAndOffersANewTime() throws {
        var mail = F.mail(.cancelled, .fr, sequence: 1)
        mail.cancelledByOffice = true
        mail.reason = "Le guichet est fermé pour cause de grève."
        let (message, m) = Self.read(mail)
        #expect(message.subject == "Annulation de votre rendez-vous – Carte d’identité (eID)")
        #expect(message.text.contains("Nous sommes désolés"))
        #expect(message.text.contains("Motif\u{A0}: Le guichet est fermé pour cause de grève."))
        #expect(message.text.contains("Veuillez nous excuser"))
        #expect(message.text.contains("https://loket.wilgendaal.be/book?lang=fr"))
        #expect(message.html.contains("<a href=\"https://loket.wilgendaal.be/book?lang=fr\""))
        #expect(!message.text.contains("Vous n’avez pas annulé"), "the office did it")
        let lines = ICalendarTests.unfolded(try #require(m.first("text/calendar")).text)
        #expect(lines.contains("METHOD:CANCEL") && lines.contains("STATUS:CANCELLED") && lines.contains("SEQUENCE:1"))
    }

    @Test func aCitizenCancellationThanksAndWarnsIfItWasNotThem() {
        var mail = F.mail(.cancelled, .en, sequence: 3)
        mail.reason = "ignored: only the office gives a reason"
        let (message, _) = Self.read(mail)
        #expect(message.text.contains("Thank you for letting us know"))
        #expect(message.text.contains("Did you not cancel this appointment yourself?"))
        #expect(message.text.contains("https://loket.wilgendaal.be/book?lang=en"))
        #expect(!message.text.contains("ignored"))
    }

    @Test func aReminderSaysToFreeTheSlot() {
        let (message, _) = Self.read(F.mail(.reminder, .de))
        #expect(message.subject == "Terminerinnerung – Personalausweis (eID)")
        #expect(message.text.contains("Sie können nicht kommen?"))
        #expect(message.text.contains("Ihr alter Personalausweis"))
        #expect(message.text.contains("Meinen Termin verschieben oder absagen:\nhttps://loket.wilgendaal.be/book?ref=K7M-3QX&token="))
    }

    @Test func aVideoAppointmentCarriesItsMeetingLinkAndATownHallOneDoesNot() throws {
        for language in Language.allCases {
            let (message, m) = Self.read(F.videoMail(.booked, language))
            #expect(message.text.contains(F.meeting))
            #expect(message.html.contains("<a href=\"\(MailComposer.escape(F.meeting))\""))
            #expect(!message.text.contains("Online videogesprek"), "the meeting link, not the address")
            #expect(m.first("image/png") == nil, "no kiosk to check in at")
            let lines = ICalendarTests.unfolded(try #require(m.first("text/calendar")).text)
            #expect(lines.contains("LOCATION:\(F.meeting)") && lines.contains("URL:\(F.meeting)"))
            // 2027-03-29 is a Monday, after the change to summer time: 10:00 is 08:00 UTC.
            #expect(lines.contains("DTSTART:20270329T080000Z"))
        }
        let (video, _) = Self.read(F.videoMail(.booked, .nl))
        #expect(video.text.contains("Videogesprek") && video.text.contains("maandag 29 maart 2027 om 10:00"))

        let (townHall, m) = Self.read(F.mail(.booked, .nl))
        #expect(!townHall.text.contains("meet.") && !townHall.html.contains("meet."))
        #expect(!(try #require(m.first("text/calendar")).text.contains("meet.")))
        #expect(!townHall.text.contains("Videogesprek"))
    }

    @Test func aRemoteAppointmentWithoutALinkSaysTheyWillBeContacted() {
        var mail = F.videoMail(.booked, .en)
        mail.meetingURL = nil
        let (message, m) = Self.read(mail)
        #expect(message.text.contains("We will contact you at the agreed time."))
        #expect(message.text.contains("Video desk"))
        #expect(m.first("image/png") == nil)
    }

    @Test func injectionThroughTheCitizensDataIsNeutralised() throws {
        var mail = F.mail(.cancelled, .nl, sequence: 1)
        mail.name = "An\r\nBcc: victim@example.com\r\n\r\n<script>alert(1)</script>"
        mail.email = "an@example.be\r\nBcc: victim@example.com"
        mail.cancelledByOffice = true
        mail.reason = "Ziek\r\nBcc: victim@example.com\u{0}"
        let settings = MailSettings(from: MailAddress("loket@wilgendaal.be", name: "Loket\r\nX-Evil: 1"),
                                    publicURL: "https://loket.wilgendaal.be")
        let (message, m) = Self.read(mail, composer: MailComposer(catalogue: F.catalogue, settings: settings))
        let names = m.all.flatMap { $0.headers.map { $0.name.lowercased() } }
        #expect(!names.contains("bcc") && !names.contains("x-evil"))
        #expect(m.headers("To").count == 1)
        #expect(message.text.contains("Reden: Ziek Bcc: victim@example.com "))
        #expect(message.text.contains("Beste An Bcc: victim@example.com <script>alert(1)</script>,"))
        #expect(!message.html.contains("<script>") && message.html.contains("&lt;script&gt;"))
        #expect(!message.text.contains("\u{0}"))
    }

    @Test func composingIsPureAndStoredMailDecodes() throws {
        let mail = F.mail(.booked, .fr)
        #expect(F.composer.compose(mail, messageID: "<a@b>", now: F.now).rendered()
                == F.composer.compose(mail, messageID: "<a@b>", now: F.now).rendered())
        let json = try JSONEncoder().encode(F.videoMail(.moved, .de))
        #expect(try JSONDecoder().decode(AppointmentMail.self, from: json) == F.videoMail(.moved, .de))
    }

    @Test func withoutATokenThereIsNoManageLink() {
        var mail = F.mail(.booked, .nl)
        mail.manageToken = nil
        let (message, _) = Self.read(mail)
        #expect(!message.text.contains("token="))
        #expect(!message.text.contains("Mijn afspraak verplaatsen of annuleren"))
    }

    @Test func messageIDsAreFreshAndOnTheHostOfThePublicURL() {
        var rng = SplitMix64(seed: 42)
        let a = MailComposer.messageID(host: F.settings.host, using: &rng)
        let b = MailComposer.messageID(host: F.settings.host, using: &rng)
        #expect(a != b)
        #expect(a.wholeMatch(of: /<[0-9a-f]{32}@loket\.wilgendaal\.be>/) != nil, "\(a)")
        #expect(MailComposer.messageID(host: "evil\r\n>x", using: &rng).hasSuffix("@evilx>"))
        let hosts = ["https://loket.wilgendaal.be/": "loket.wilgendaal.be", "http://127.0.0.1:8080": "127.0.0.1",
                     "http://[::1]:8080/x": "[::1]", "https://user@Loket.Example.BE:443/a?b": "loket.example.be", "": "localhost"]
        for (url, host) in hosts {
            #expect(MailSettings(from: MailAddress("a@b"), publicURL: url).host == host, "\(url)")
        }
    }
}
