// Composes the mails a citizen gets about an appointment: booked, moved, cancelled, reminder.
//
// A message is first a list of blocks (headings, paragraphs, a table of what/where/when, links,
// the QR code), written once and then rendered twice: as plain text and as simple, accessible
// HTML (a `lang` attribute, h1/h2 headings, a table with row headers, links that say where they
// lead, alt text on the one image). Names of services and the location come from the catalogue;
// everything else from the `AppointmentMail` stored with the change. Times are written in the
// location's time zone. Pure: no I/O, no clock (`now` is the mail's Date and the .ics DTSTAMP).
//
// What the links are: the manage link opens the booking page on the appointment, where the
// citizen may move or cancel it; there is never a link that cancels by being opened. The QR code
// carries only the reference (the kiosk checks in with it), never the manage token.
import Foundation
import LoketCore

/// Writes the mails a citizen gets about an appointment, in their language.
public struct MailComposer: Sendable {
    public let catalogue: Catalogue
    public let settings: MailSettings

    public init(catalogue: Catalogue, settings: MailSettings) {
        self.catalogue = catalogue
        self.settings = settings
    }

    /// The message for `mail`, dated `now`, with the given Message-ID (kept through retries).
    ///
    /// ```swift
    /// let composer = MailComposer(catalogue: catalogue, settings: MailSettings(
    ///     from: MailAddress("loket@wilgendaal.be"), publicURL: "https://loket.wilgendaal.be"))
    /// let message = composer.compose(mail, messageID: row.messageID, now: now)
    /// try transport.deliver(message.rendered(), messageID: message.messageID,
    ///                       from: message.from.address, to: [message.to.address])
    /// ```
    public func compose(_ mail: AppointmentMail, messageID: String, now: Date) -> MailMessage {
        let w = MailWording.of(mail.language)
        let lang = mail.language
        let municipality = catalogue.settings.municipality.resolve(lang)
        let location = catalogue.location(mail.location)
        let civil = CivilClock(timeZone: location?.timeZone ?? .brussels)
        func when(_ d: Date) -> String { w.dateTime(civil.date(of: d), civil.timeOfDay(of: d)) }

        let reference = MIMEEncoding.oneLine(mail.reference)
        let name = MIMEEncoding.oneLine(mail.name).trimmingCharacters(in: .whitespaces)
        let services = mail.items.map { item -> String in
            let title = catalogue.service(item.service)?.name.resolve(lang) ?? item.service
            return item.persons > 1 ? "\(title) \(w.forPersons(item.persons))" : title
        }
        let what = services.joined(separator: ", ")
        let meetingURL = mail.meetingURL.map(ICalendar.uri).flatMap { $0.isEmpty ? nil : $0 }
        let isRemote = meetingURL != nil || location?.kind == .remote
        let bring = bringTexts(mail.items, lang)
        let minutes = max(Int(mail.end.timeIntervalSince(mail.start) / 60), 0)

        var blocks: [Block] = [.title(title(mail, w)), .paragraph(w.greeting(name))]

        // Why this mail.
        switch mail.kind {
        case .booked: blocks.append(.paragraph(w.introBooked))
        case .moved: blocks.append(.paragraph(w.introMoved))
        case .reminder: blocks.append(.paragraph(w.introReminder))
        case .cancelled where mail.cancelledByOffice:
            blocks.append(.paragraph(w.introCancelledByOffice))
            if let reason = mail.reason.map(MIMEEncoding.oneLine), !reason.trimmingCharacters(in: .whitespaces).isEmpty {
                blocks.append(.paragraph("\(w.reason)\(w.colon) \(reason)"))
            }
            blocks.append(.paragraph(w.apology))
        case .cancelled: blocks.append(.paragraph(w.introCancelledByCitizen))
        }

        // What, where, when.
        var rows: [Row] = [Row(w.what, [what])]
        if meetingURL != nil {
            rows.append(Row(w.whereLabel, [w.videoCall]))
        } else if let location {
            rows.append(Row(w.whereLabel, [location.name.resolve(lang)] + (location.kind == .remote || location.address.isEmpty
                                                                           ? [] : [location.address])))
        } else {
            rows.append(Row(w.whereLabel, [mail.location]))
        }
        if mail.kind == .moved {
            rows.append(Row(w.newWhen, [when(mail.start)], strong: true))
            if let previous = mail.previousStart { rows.append(Row(w.previousWhen, [when(previous)])) }
        } else {
            rows.append(Row(w.when, [when(mail.start)], strong: mail.kind != .cancelled))
        }
        if mail.kind != .cancelled { rows.append(Row(w.duration, [w.minutes(minutes)])) }
        rows.append(Row(w.reference, [reference], strong: true))
        blocks.append(.heading(mail.kind == .cancelled ? w.cancelledDetailsHeading : w.detailsHeading))
        blocks.append(.details(rows))

        var attachments: [MailAttachment] = []
        if mail.kind != .cancelled {
            if let meetingURL {
                blocks += [.paragraph(w.videoText), .link(w.videoJoin, meetingURL)]
            } else if isRemote {
                blocks.append(.paragraph(w.remoteText))
            }
            if !bring.isEmpty {
                blocks.append(.heading(w.bringHeading))
                blocks.append(bring.count == 1 ? .paragraph(bring[0]) : .list(bring))
            }
            // The QR code is for the kiosk in the lobby; a remote appointment has no lobby.
            if !isRemote {
                blocks.append(.heading(w.arrivalHeading))
                blocks.append(.paragraph(w.arrivalText(reference)))
                if let qr = QRCode.png(for: reference, scale: 6) {
                    let id = "qr-\(Self.fileSafe(reference))@loket"
                    blocks.append(.image(contentID: id, alt: w.qrAlt(reference), size: Self.pngSide(qr)))
                    attachments.append(MailAttachment(filename: "qr-\(Self.fileSafe(reference)).png", contentType: "image/png",
                                                      data: qr, contentID: id))
                }
            }
            if let link = manageLink(mail) {
                if mail.kind == .reminder {
                    blocks += [.heading(w.cannotComeHeading), .paragraph(w.cannotComeText)]
                } else {
                    blocks += [.heading(w.manageHeading), .paragraph(w.manageText)]
                }
                blocks.append(.link(w.manageLink, link))
            }
        } else {
            blocks.append(.heading(w.bookAgainHeading))
            blocks.append(.paragraph(mail.cancelledByOffice ? w.bookAgainByOffice : w.bookAgainByCitizen))
            blocks.append(.link(w.bookAgainLink, "\(settings.base)/book?lang=\(lang.rawValue)"))
            if !mail.cancelledByOffice { blocks.append(.paragraph(w.notYou)) }
        }

        // The calendar file: the same UID every time, the given SEQUENCE.
        let appointment = Appointment(
            reference: reference, location: mail.location, items: mail.items, start: mail.start, end: mail.end,
            status: mail.kind == .cancelled ? .cancelled : .booked, name: name, email: MIMEEncoding.address(mail.email),
            phone: nil, language: lang, channel: .online, createdAt: now)
        let method: ICalendar.Method = mail.kind == .cancelled ? .cancel : .request
        let from = sender(municipality)
        let ics = ICalendar.event(for: appointment, sequence: mail.sequence, method: method, catalogue: catalogue, language: lang,
                                  now: now, publicURL: settings.base, meetingURL: meetingURL, organizer: from)
        attachments.append(MailAttachment(filename: "\(w.calendarFile)-\(Self.fileSafe(reference)).ics",
                                          contentType: "text/calendar; charset=utf-8; method=\(method.rawValue)",
                                          data: Array(ics.utf8)))
        switch mail.kind {
        case .booked, .reminder: blocks.append(.paragraph(w.calendarBooked))
        case .moved: blocks.append(.paragraph(w.calendarMoved))
        case .cancelled: blocks.append(.paragraph(w.calendarCancelled))
        }

        return finish(blocks, subject: "\(subjectPrefix(mail.kind, w)) – \(what)", to: mail.email, name: name,
                      municipality: municipality, wording: w, language: lang, messageID: messageID, now: now,
                      attachments: attachments)
    }

    /// The sender: `mail.from`, under the settings' name or else the municipality's.
    func sender(_ municipality: String) -> MailAddress {
        MailAddress(settings.from.address, name: settings.from.name ?? municipality)
    }

    /// The message: `blocks` closed with the signature and the footer, as plain text and HTML.
    func finish(_ blocks: [Block], subject: String, to email: String, name: String, municipality: String, wording w: MailWording,
                language lang: Language, messageID: String, now: Date, attachments: [MailAttachment] = []) -> MailMessage {
        let blocks = blocks + [.signature(w.closing, municipality),
                               .footer([w.automatic] + (settings.replyTo != nil ? [w.replyHint] : []))]
        return MailMessage(messageID: messageID, date: now, from: sender(municipality), replyTo: settings.replyTo,
                           to: MailAddress(email, name: name.isEmpty ? nil : name), subject: subject,
                           text: Self.text(blocks, colon: w.colon), html: Self.html(blocks, language: lang, title: subject),
                           attachments: attachments, language: lang.rawValue)
    }

    /// What a Message-ID's host may hold; built once (building it per message was 1.5% of a booking).
    private static let messageIDHostSymbols = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:".unicodeScalars)

    /// A fresh Message-ID `<random@host-of-publicURL>`: 128 random bits in hex.
    public static func messageID<G: RandomNumberGenerator>(host: String, using generator: inout G) -> String {
        let random = (0..<2).map { _ -> String in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        let host = String(String.UnicodeScalarView(host.unicodeScalars.filter { messageIDHostSymbols.contains($0) }))
        return "<\(random)@\(host.isEmpty ? "localhost" : host)>"
    }

    // MARK: Parts of the text

    private func title(_ mail: AppointmentMail, _ w: MailWording) -> String {
        switch mail.kind {
        case .booked: return w.titleBooked
        case .moved: return w.titleMoved
        case .cancelled: return w.titleCancelled
        case .reminder: return w.titleReminder
        }
    }

    private func subjectPrefix(_ kind: MailKind, _ w: MailWording) -> String {
        switch kind {
        case .booked: return w.subjectBooked
        case .moved: return w.subjectMoved
        case .cancelled: return w.subjectCancelled
        case .reminder: return w.subjectReminder
        }
    }

    /// What to bring, once per distinct text; prefixed with the service when there are several services.
    private func bringTexts(_ items: [Appointment.Item], _ lang: Language) -> [String] {
        var seen: Set<String> = []
        var out: [String] = []
        for item in items {
            guard let service = catalogue.service(item.service), let text = service.bring?.resolve(lang),
                  !text.isEmpty, seen.insert(text).inserted else { continue }
            out.append(items.count > 1 ? "\(service.name.resolve(lang)): \(text)" : text)
        }
        return out
    }

    /// `publicURL/book?ref=…&token=…&lang=…`, the page where the citizen moves or cancels; nil without a token.
    private func manageLink(_ mail: AppointmentMail) -> String? {
        guard let token = mail.manageToken, !token.isEmpty else { return nil }
        return "\(settings.base)/book?ref=\(Self.query(mail.reference))&token=\(Self.query(token))&lang=\(mail.language.rawValue)"
    }

    /// A query parameter value, percent-encoded.
    static func query(_ s: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        return s.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }

    /// Letters, digits and `-` of `s`, for file names and Content-IDs.
    static func fileSafe(_ s: String) -> String {
        let kept = s.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        return kept.isEmpty ? "loket" : String(String.UnicodeScalarView(kept))
    }

    /// The width of a PNG, from its IHDR.
    private static func pngSide(_ png: [UInt8]) -> Int {
        png.count > 20 ? png[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
    }
}
