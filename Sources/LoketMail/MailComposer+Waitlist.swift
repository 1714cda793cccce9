// The mails a citizen on the waitlist gets: joined, offer, expired; in nl, fr, en and de.
//
// Built from the same blocks as the appointment mails (`MailComposer+Layout.swift`). Every link
// opens the waitlist page (`/w/{id}?token=…`), where the citizen accepts or leaves with a button:
// no link changes anything by being opened (mail scanners follow links).
import Foundation
import LoketCore

extension MailComposer {
    /// The message for `mail`, dated `now`, with the given Message-ID (kept through retries).
    public func compose(_ mail: WaitlistMail, messageID: String, now: Date) -> MailMessage {
        let lang = mail.language
        let w = MailWording.of(lang)
        let ww = WaitlistWording.of(lang)
        let municipality = catalogue.settings.municipality.resolve(lang)
        let location = catalogue.location(mail.location)
        let civil = CivilClock(timeZone: location?.timeZone ?? .brussels)
        func when(_ d: Date) -> String { w.dateTime(civil.date(of: d), civil.timeOfDay(of: d)) }
        let name = MIMEEncoding.oneLine(mail.name ?? "").trimmingCharacters(in: .whitespaces)
        let title = catalogue.service(mail.service)?.name.resolve(lang) ?? mail.service
        let what = mail.persons > 1 ? "\(title) \(w.forPersons(mail.persons))" : title

        var blocks: [Block] = []
        var rows: [Row] = [Row(w.what, [what]),
                           Row(w.whereLabel, [location?.name.resolve(lang) ?? mail.location]
                               + (location.map { $0.kind == .remote || $0.address.isEmpty ? [] : [$0.address] } ?? []))]
        if let from = CivilDate(mail.from), let to = CivilDate(mail.to) {
            rows.append(Row(ww.range, [ww.days(from, to)]))
        }
        let link = pageLink(mail)
        switch mail.kind {
        case .joined:
            blocks += [.title(ww.titleJoined), .paragraph(w.greeting(name)), .paragraph(ww.introJoined),
                       .heading(ww.detailsHeading), .details(rows), .paragraph(ww.howItWorks)]
            if let link { blocks += [.heading(ww.leaveHeading), .paragraph(ww.leaveText), .link(ww.pageLink, link)] }
        case .offer:
            if let start = mail.offerStart { rows.append(Row(w.when, [when(start)], strong: true)) }
            if let expires = mail.expiresAt { rows.append(Row(ww.heldUntil, [when(expires)], strong: true)) }
            blocks += [.title(ww.titleOffer), .paragraph(w.greeting(name)), .paragraph(ww.introOffer),
                       .heading(ww.offerHeading), .details(rows), .paragraph(ww.offerText)]
            if let link { blocks.append(.link(ww.acceptLink, link)) }
        case .expired:
            if let start = mail.offerStart { rows.append(Row(w.when, [when(start)])) }
            blocks += [.title(ww.titleExpired), .paragraph(w.greeting(name)), .paragraph(ww.introExpired),
                       .heading(ww.offerHeading), .details(rows), .heading(w.bookAgainHeading), .paragraph(ww.expiredText),
                       .link(w.bookAgainLink, "\(settings.base)/book?lang=\(lang.rawValue)")]
        }
        let prefix: String
        switch mail.kind {
        case .joined: prefix = ww.subjectJoined
        case .offer: prefix = ww.subjectOffer
        case .expired: prefix = ww.subjectExpired
        }
        return finish(blocks, subject: "\(prefix) – \(what)", to: mail.email, name: name, municipality: municipality,
                      wording: w, language: lang, messageID: messageID, now: now)
    }

    /// `publicURL/w/{id}?token=…&lang=…`, the waitlist page; nil without a token.
    private func pageLink(_ mail: WaitlistMail) -> String? {
        guard let token = mail.token, !token.isEmpty else { return nil }
        return "\(settings.base)/w/\(Self.query(mail.id))?token=\(Self.query(token))&lang=\(mail.language.rawValue)"
    }
}

/// The sentences of waitlist mail in one language (the shared ones come from `MailWording`).
struct WaitlistWording {
    var subjectJoined: String
    var subjectOffer: String
    var subjectExpired: String
    var titleJoined: String
    var titleOffer: String
    var titleExpired: String
    var introJoined: String
    var introOffer: String
    var introExpired: String
    var detailsHeading: String
    var offerHeading: String
    /// Label of the days the citizen can come.
    var range: String
    var heldUntil: String
    var howItWorks: String
    var leaveHeading: String
    var leaveText: String
    var pageLink: String
    var offerText: String
    var acceptLink: String
    var expiredText: String
    /// "van dinsdag 1 december tot vrijdag 4 december 2026".
    var days: (CivilDate, CivilDate) -> String

    static func of(_ language: Language) -> WaitlistWording {
        switch language {
        case .nl: return .dutch
        case .fr: return .french
        case .en: return .english
        case .de: return .german
        }
    }

    /// One day, or "van … tot …" in `language`, each day written as the appointment mails write it.
    private static func span(_ language: Language, join: @escaping (String, String) -> String) -> (CivilDate, CivilDate) -> String {
        let date = MailWording.of(language).date
        return { a, b in a == b ? date(a) : join(date(a), date(b)) }
    }

    static var dutch: WaitlistWording {
        WaitlistWording(
            subjectJoined: "U staat op de wachtlijst",
            subjectOffer: "Er is een tijdstip vrij",
            subjectExpired: "Aanbod verlopen",
            titleJoined: "U staat op de wachtlijst",
            titleOffer: "Er is een tijdstip voor u vrij",
            titleExpired: "Het aanbod is verlopen",
            introJoined: "U staat op de wachtlijst. Komt er een tijdstip vrij in de periode die u koos, dan krijgt u een e-mail.",
            introOffer: "Goed nieuws: er is een tijdstip vrijgekomen. We houden het even voor u vast.",
            introExpired: "U hebt het tijdstip dat we voor u vasthielden niet op tijd aangenomen. We hebben het aan de volgende op de wachtlijst gegeven.",
            detailsHeading: "Uw plaats op de wachtlijst",
            offerHeading: "Het tijdstip",
            range: "Periode",
            heldUntil: "Vastgehouden tot",
            howItWorks: "Wie eerst op de wachtlijst staat, krijgt een vrij tijdstip eerst aangeboden.",
            leaveHeading: "Geen afspraak meer nodig?",
            leaveText: "Op de pagina hieronder ziet u uw plaats en kunt u de wachtlijst verlaten.",
            pageLink: "Mijn plaats op de wachtlijst bekijken",
            offerText: "Open de pagina hieronder om dit tijdstip aan te nemen of te weigeren. Neemt u het niet aan voor het einde van de termijn, "
                + "dan gaat het naar de volgende op de wachtlijst. Deel deze link met niemand.",
            acceptLink: "Dit tijdstip aannemen of weigeren",
            expiredText: "U staat niet meer op de wachtlijst. U kunt altijd een nieuwe afspraak maken of opnieuw op de wachtlijst gaan staan.",
            days: span(.nl) { "van \($0) tot \($1)" })
    }

    static var french: WaitlistWording {
        WaitlistWording(
            subjectJoined: "Vous êtes sur la liste d’attente",
            subjectOffer: "Un moment s’est libéré",
            subjectExpired: "Offre expirée",
            titleJoined: "Vous êtes sur la liste d’attente",
            titleOffer: "Un moment s’est libéré pour vous",
            titleExpired: "L’offre a expiré",
            introJoined: "Vous êtes sur la liste d’attente. Si un moment se libère pendant la période choisie, vous recevrez un e-mail.",
            introOffer: "Bonne nouvelle\u{00A0}: un moment s’est libéré. Nous le réservons pour vous pendant un court délai.",
            introExpired: "Vous n’avez pas accepté à temps le moment réservé pour vous. Il a été proposé à la personne suivante sur la liste d’attente.",
            detailsHeading: "Votre place sur la liste d’attente",
            offerHeading: "Le moment",
            range: "Période",
            heldUntil: "Réservé jusqu’au",
            howItWorks: "Un moment libre est proposé d’abord à la personne inscrite en premier.",
            leaveHeading: "Vous n’avez plus besoin de rendez-vous\u{00A0}?",
            leaveText: "La page ci-dessous montre votre place et vous permet de quitter la liste d’attente.",
            pageLink: "Voir ma place sur la liste d’attente",
            offerText: "Ouvrez la page ci-dessous pour accepter ou refuser ce moment. Si vous ne l’acceptez pas avant la fin du délai, "
                + "il sera proposé à la personne suivante. Ne partagez ce lien avec personne.",
            acceptLink: "Accepter ou refuser ce moment",
            expiredText: "Vous n’êtes plus sur la liste d’attente. Vous pouvez toujours prendre un nouveau rendez-vous ou vous réinscrire.",
            days: span(.fr) { "du \($0) au \($1)" })
    }

    static var english: WaitlistWording {
        WaitlistWording(
            subjectJoined: "You are on the waitlist",
            subjectOffer: "A time has become free",
            subjectExpired: "Offer expired",
            titleJoined: "You are on the waitlist",
            titleOffer: "A time has become free for you",
            titleExpired: "The offer has expired",
            introJoined: "You are on the waitlist. If a time becomes free in the period you chose, we will e-mail you.",
            introOffer: "Good news: a time has become free. We are holding it for you for a short while.",
            introExpired: "You did not accept the time we held for you in time. We have offered it to the next person on the waitlist.",
            detailsHeading: "Your place on the waitlist",
            offerHeading: "The time",
            range: "Period",
            heldUntil: "Held until",
            howItWorks: "A free time is offered first to whoever joined the waitlist first.",
            leaveHeading: "No longer need an appointment?",
            leaveText: "The page below shows your place and lets you leave the waitlist.",
            pageLink: "See my place on the waitlist",
            offerText: "Open the page below to accept or decline this time. If you do not accept it before the hold ends, "
                + "it goes to the next person on the waitlist. Do not share this link.",
            acceptLink: "Accept or decline this time",
            expiredText: "You are no longer on the waitlist. You can book a new appointment or join the waitlist again at any time.",
            days: span(.en) { "from \($0) to \($1)" })
    }

    static var german: WaitlistWording {
        WaitlistWording(
            subjectJoined: "Sie stehen auf der Warteliste",
            subjectOffer: "Ein Termin ist frei geworden",
            subjectExpired: "Angebot abgelaufen",
            titleJoined: "Sie stehen auf der Warteliste",
            titleOffer: "Ein Termin ist für Sie frei geworden",
            titleExpired: "Das Angebot ist abgelaufen",
            introJoined: "Sie stehen auf der Warteliste. Wird in dem von Ihnen gewählten Zeitraum ein Termin frei, erhalten Sie eine E-Mail.",
            introOffer: "Gute Nachricht: Ein Termin ist frei geworden. Wir halten ihn kurz für Sie frei.",
            introExpired: "Sie haben den für Sie freigehaltenen Termin nicht rechtzeitig angenommen. Er wurde der nächsten Person auf der Warteliste angeboten.",
            detailsHeading: "Ihr Platz auf der Warteliste",
            offerHeading: "Der Termin",
            range: "Zeitraum",
            heldUntil: "Freigehalten bis",
            howItWorks: "Ein freier Termin wird zuerst der Person angeboten, die sich zuerst eingetragen hat.",
            leaveHeading: "Brauchen Sie keinen Termin mehr?",
            leaveText: "Auf der Seite unten sehen Sie Ihren Platz und können die Warteliste verlassen.",
            pageLink: "Meinen Platz auf der Warteliste ansehen",
            offerText: "Öffnen Sie die Seite unten, um diesen Termin anzunehmen oder abzulehnen. Nehmen Sie ihn nicht rechtzeitig an, "
                + "geht er an die nächste Person auf der Warteliste. Teilen Sie diesen Link mit niemandem.",
            acceptLink: "Diesen Termin annehmen oder ablehnen",
            expiredText: "Sie stehen nicht mehr auf der Warteliste. Sie können jederzeit einen neuen Termin buchen oder sich erneut eintragen.",
            days: span(.de) { "von \($0) bis \($1)" })
    }
}
