// The words of citizen mail in nl, fr, en and de, and how each language writes dates and times.
//
// One struct with one field per sentence, and one initialiser per language: a language that
// lacks a sentence does not compile. Sentences are short and plain (the citizen may be 9 or 90)
// and use the polite form (u, vous, Sie). The municipality's name appears only in the signature,
// because its article and case differ between languages ("de gemeente", "la commune", "der Gemeinde").
// The terms match the booking page (kiosk/i18n): "verplaatsen of annuleren", "déplacer ou annuler",
// "move or cancel", "verschieben oder absagen"; "kiosk", "borne", "Kiosk" for the check-in terminal.
import LoketCore

/// The sentences of citizen mail in one language.
struct MailWording {
    // Subjects, each followed by " – " and what the appointment is for.
    var subjectBooked: String
    var subjectMoved: String
    var subjectCancelled: String
    var subjectReminder: String

    // Titles (h1).
    var titleBooked: String
    var titleMoved: String
    var titleCancelled: String
    var titleReminder: String

    /// "Beste An," (or a greeting without a name when it is empty).
    var greeting: (String) -> String
    var introBooked: String
    var introMoved: String
    var introCancelledByCitizen: String
    var introCancelledByOffice: String
    var introReminder: String
    /// Label of the office's reason for a cancellation.
    var reason: String
    /// After an office cancellation.
    var apology: String

    // The table of what, where and when.
    var detailsHeading: String
    var cancelledDetailsHeading: String
    var what: String
    var whereLabel: String
    var when: String
    var newWhen: String
    var previousWhen: String
    var duration: String
    var reference: String

    /// "Video call", the where of a video appointment.
    var videoCall: String
    var videoText: String
    var videoJoin: String
    /// A remote appointment without a meeting link.
    var remoteText: String

    var bringHeading: String
    var arrivalHeading: String
    /// The check-in text, with the reference.
    var arrivalText: (String) -> String
    /// Alt text of the QR code, with the reference.
    var qrAlt: (String) -> String

    var manageHeading: String
    var manageText: String
    var manageLink: String
    var cannotComeHeading: String
    var cannotComeText: String

    var bookAgainHeading: String
    var bookAgainByCitizen: String
    var bookAgainByOffice: String
    var bookAgainLink: String
    var notYou: String

    var calendarBooked: String
    var calendarMoved: String
    var calendarCancelled: String

    var closing: String
    var automatic: String
    var replyHint: String
    /// The name of the calendar file, before `-REFERENCE.ics`.
    var calendarFile: String
    /// ":" after a label; French puts a no-break space before it.
    var colon: String

    /// "voor 2 personen", after a service's name when more than one person comes for it.
    var forPersons: (Int) -> String
    /// "1 uur en 30 minuten".
    var minutes: (Int) -> String
    /// "dinsdag 1 december 2026".
    var date: (CivilDate) -> String
    /// "dinsdag 1 december 2026 om 10:30".
    var dateTime: (CivilDate, TimeOfDay) -> String

    /// The wording for `language`.
    static func of(_ language: Language) -> MailWording {
        switch language {
        case .nl: return .dutch
        case .fr: return .french
        case .en: return .english
        case .de: return .german
        }
    }
}

/// "9:30", the hour without a leading zero.
private func clock(_ t: TimeOfDay) -> String {
    "\(t.minutes / 60):" + (t.minutes % 60 < 10 ? "0" : "") + "\(t.minutes % 60)"
}

/// A no-break space, which French puts before `:`, `?` and `!` and inside "10 h 30".
private let nbsp = "\u{00A0}"

extension MailWording {
    static var dutch: MailWording {
        let weekdays = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
        let months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                      "oktober", "november", "december"]
        let date = { (d: CivilDate) in "\(weekdays[d.weekday.rawValue - 1]) \(d.day) \(months[d.month - 1]) \(d.year)" }
        return MailWording(
            subjectBooked: "Bevestiging afspraak",
            subjectMoved: "Wijziging afspraak",
            subjectCancelled: "Afspraak geannuleerd",
            subjectReminder: "Herinnering afspraak",
            titleBooked: "Uw afspraak is bevestigd",
            titleMoved: "Uw afspraak is verplaatst",
            titleCancelled: "Uw afspraak is geannuleerd",
            titleReminder: "Binnenkort hebt u een afspraak",
            greeting: { $0.isEmpty ? "Goedendag," : "Beste \($0)," },
            introBooked: "Bedankt voor uw afspraak. Hieronder vindt u alle gegevens. Bewaar deze e-mail goed.",
            introMoved: "Uw afspraak is verplaatst. Hieronder vindt u de nieuwe dag en het nieuwe uur.",
            introCancelledByCitizen: "Uw afspraak is geannuleerd. Bedankt om het ons te laten weten: zo kan iemand anders dat tijdstip gebruiken.",
            introCancelledByOffice: "Het spijt ons, maar we moeten uw afspraak annuleren.",
            introReminder: "Binnenkort hebt u een afspraak bij ons. Hieronder zetten we alles nog even op een rij.",
            reason: "Reden",
            apology: "Onze excuses voor het ongemak.",
            detailsHeading: "Uw afspraak",
            cancelledDetailsHeading: "De geannuleerde afspraak",
            what: "Wat",
            whereLabel: "Waar",
            when: "Wanneer",
            newWhen: "Nieuw tijdstip",
            previousWhen: "Vorig tijdstip",
            duration: "Duur",
            reference: "Referentie",
            videoCall: "Videogesprek",
            videoText: "Uw afspraak is een videogesprek. U hoeft dus niet langs te komen. Klik op het afgesproken uur op de link hieronder. "
                + "U hebt een computer, tablet of smartphone met camera en microfoon nodig.",
            videoJoin: "Deelnemen aan het videogesprek",
            remoteText: "Dit is een afspraak op afstand: u hoeft niet langs te komen. We nemen op het afgesproken uur contact met u op.",
            bringHeading: "Wat brengt u mee?",
            arrivalHeading: "Bij uw aankomst",
            arrivalText: {
                "Kom enkele minuten voor uw afspraak. Toon bij uw aankomst deze QR-code of uw referentie \($0) aan de kiosk om u aan te melden."
            },
            qrAlt: { "QR-code van uw afspraak \($0)" },
            manageHeading: "Verplaatsen of annuleren",
            manageText: "Past het tijdstip toch niet? De link hieronder opent een pagina waar u uw afspraak kunt verplaatsen of annuleren. "
                + "Deel deze link met niemand: wie de link heeft, kan uw afspraak wijzigen.",
            manageLink: "Mijn afspraak verplaatsen of annuleren",
            cannotComeHeading: "Kunt u niet komen?",
            cannotComeText: "Annuleer dan uw afspraak. Zo geeft u het tijdstip vrij voor iemand anders. "
                + "De link hieronder opent een pagina waar u uw afspraak kunt verplaatsen of annuleren.",
            bookAgainHeading: "Een nieuw tijdstip kiezen",
            bookAgainByCitizen: "Wilt u toch langskomen? U kunt altijd een nieuwe afspraak maken.",
            bookAgainByOffice: "Kies gerust een nieuw tijdstip dat u past.",
            bookAgainLink: "Een nieuwe afspraak maken",
            notYou: "Hebt u deze afspraak niet zelf geannuleerd? Neem dan contact met ons op.",
            calendarBooked: "In de bijlage vindt u de afspraak voor uw agenda.",
            calendarMoved: "In de bijlage vindt u de gewijzigde afspraak voor uw agenda.",
            calendarCancelled: "Met de bijlage haalt u de afspraak uit uw agenda.",
            closing: "Met vriendelijke groeten,",
            automatic: "Deze e-mail werd automatisch verstuurd.",
            replyHint: "Hebt u een vraag? Beantwoord dan gewoon deze e-mail.",
            calendarFile: "afspraak",
            colon: ":",
            forPersons: { $0 == 1 ? "voor 1 persoon" : "voor \($0) personen" },
            minutes: { total in
                let h = total / 60, m = total % 60
                let minutes = m == 1 ? "1 minuut" : "\(m) minuten"
                guard h > 0 else { return minutes }
                return m == 0 ? "\(h) uur" : "\(h) uur en \(minutes)"
            },
            date: date,
            dateTime: { d, t in "\(date(d)) om \(clock(t))" })
    }

    static var french: MailWording {
        let weekdays = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                      "octobre", "novembre", "décembre"]
        let date = { (d: CivilDate) in "\(weekdays[d.weekday.rawValue - 1]) \(d.day == 1 ? "1er" : "\(d.day)") \(months[d.month - 1]) \(d.year)" }
        return MailWording(
            subjectBooked: "Confirmation de votre rendez-vous",
            subjectMoved: "Modification de votre rendez-vous",
            subjectCancelled: "Annulation de votre rendez-vous",
            subjectReminder: "Rappel de votre rendez-vous",
            titleBooked: "Votre rendez-vous est confirmé",
            titleMoved: "Votre rendez-vous a été déplacé",
            titleCancelled: "Votre rendez-vous a été annulé",
            titleReminder: "Votre rendez-vous approche",
            greeting: { $0.isEmpty ? "Bonjour," : "Bonjour \($0)," },
            introBooked: "Merci pour votre réservation. Vous trouverez tous les détails ci-dessous. Conservez bien ce message.",
            introMoved: "Votre rendez-vous a été déplacé. Vous trouverez ci-dessous la nouvelle date et la nouvelle heure.",
            introCancelledByCitizen: "Votre rendez-vous a bien été annulé. Merci de nous avoir prévenus\(nbsp): "
                + "ce moment peut ainsi servir à quelqu’un d’autre.",
            introCancelledByOffice: "Nous sommes désolés, mais nous devons annuler votre rendez-vous.",
            introReminder: "Votre rendez-vous chez nous approche. Voici un petit récapitulatif.",
            reason: "Motif",
            apology: "Veuillez nous excuser pour ce désagrément.",
            detailsHeading: "Votre rendez-vous",
            cancelledDetailsHeading: "Le rendez-vous annulé",
            what: "Quoi",
            whereLabel: "Où",
            when: "Quand",
            newWhen: "Nouvelle date",
            previousWhen: "Date précédente",
            duration: "Durée",
            reference: "Référence",
            videoCall: "Appel vidéo",
            videoText: "Votre rendez-vous se fait par appel vidéo. Vous ne devez donc pas vous déplacer. "
                + "À l’heure du rendez-vous, cliquez sur le lien ci-dessous. "
                + "Il vous faut un ordinateur, une tablette ou un smartphone avec caméra et micro.",
            videoJoin: "Rejoindre l’appel vidéo",
            remoteText: "Ce rendez-vous a lieu à distance\(nbsp): vous ne devez pas vous déplacer. Nous vous contacterons à l’heure convenue.",
            bringHeading: "À apporter",
            arrivalHeading: "À votre arrivée",
            arrivalText: {
                "Présentez-vous quelques minutes avant votre rendez-vous. À votre arrivée, montrez ce QR code "
                    + "ou votre référence \($0) à la borne pour vous enregistrer."
            },
            qrAlt: { "QR code de votre rendez-vous \($0)" },
            manageHeading: "Déplacer ou annuler",
            manageText: "Le moment ne vous convient plus\(nbsp)? Le lien ci-dessous ouvre une page où vous pouvez déplacer "
                + "ou annuler votre rendez-vous. Ne partagez ce lien avec personne\(nbsp): "
                + "toute personne qui a le lien peut modifier votre rendez-vous.",
            manageLink: "Déplacer ou annuler mon rendez-vous",
            cannotComeHeading: "Vous ne pouvez pas venir\(nbsp)?",
            cannotComeText: "Annulez alors votre rendez-vous, pour que quelqu’un d’autre puisse profiter de ce moment. "
                + "Le lien ci-dessous ouvre une page où vous pouvez déplacer ou annuler votre rendez-vous.",
            bookAgainHeading: "Choisir un nouveau moment",
            bookAgainByCitizen: "Vous souhaitez finalement venir\(nbsp)? Vous pouvez toujours prendre un nouveau rendez-vous.",
            bookAgainByOffice: "Choisissez un nouveau moment qui vous convient.",
            bookAgainLink: "Prendre un nouveau rendez-vous",
            notYou: "Vous n’avez pas annulé ce rendez-vous vous-même\(nbsp)? Prenez alors contact avec nous.",
            calendarBooked: "Vous trouverez le rendez-vous en pièce jointe, pour votre agenda.",
            calendarMoved: "Vous trouverez le rendez-vous modifié en pièce jointe, pour votre agenda.",
            calendarCancelled: "La pièce jointe retire le rendez-vous de votre agenda.",
            closing: "Cordialement,",
            automatic: "Ce message a été envoyé automatiquement.",
            replyHint: "Une question\(nbsp)? Répondez simplement à ce message.",
            calendarFile: "rendez-vous",
            colon: "\(nbsp):",
            forPersons: { $0 == 1 ? "pour 1 personne" : "pour \($0) personnes" },
            minutes: { total in
                let h = total / 60, m = total % 60
                let minutes = m == 1 ? "1 minute" : "\(m) minutes"
                guard h > 0 else { return minutes }
                let hours = h == 1 ? "1 heure" : "\(h) heures"
                return m == 0 ? hours : "\(hours) et \(minutes)"
            },
            date: date,
            dateTime: { d, t in
                let m = t.minutes % 60
                let time = "\(t.minutes / 60)\(nbsp)h" + (m == 0 ? "" : "\(nbsp)\(m < 10 ? "0" : "")\(m)")
                return "\(date(d)) à \(time)"
            })
    }

    static var english: MailWording {
        let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        let date = { (d: CivilDate) in "\(weekdays[d.weekday.rawValue - 1]) \(d.day) \(months[d.month - 1]) \(d.year)" }
        return MailWording(
            subjectBooked: "Appointment confirmed",
            subjectMoved: "Appointment changed",
            subjectCancelled: "Appointment cancelled",
            subjectReminder: "Reminder of your appointment",
            titleBooked: "Your appointment is confirmed",
            titleMoved: "Your appointment has been moved",
            titleCancelled: "Your appointment has been cancelled",
            titleReminder: "Your appointment is coming up",
            greeting: { $0.isEmpty ? "Hello," : "Dear \($0)," },
            introBooked: "Thank you for booking an appointment. You will find all the details below. Please keep this e-mail.",
            introMoved: "Your appointment has been moved. You will find the new date and time below.",
            introCancelledByCitizen: "Your appointment has been cancelled. Thank you for letting us know: now someone else can use this time.",
            introCancelledByOffice: "We are sorry, but we have to cancel your appointment.",
            introReminder: "Your appointment with us is coming up soon. Here is a short summary.",
            reason: "Reason",
            apology: "We apologise for the inconvenience.",
            detailsHeading: "Your appointment",
            cancelledDetailsHeading: "The cancelled appointment",
            what: "What",
            whereLabel: "Where",
            when: "When",
            newWhen: "New time",
            previousWhen: "Previous time",
            duration: "Duration",
            reference: "Reference",
            videoCall: "Video call",
            videoText: "Your appointment is a video call, so you do not need to come in. At the time of your appointment, click the link below. "
                + "You need a computer, tablet or smartphone with a camera and microphone.",
            videoJoin: "Join the video call",
            remoteText: "This is a remote appointment: you do not need to come in. We will contact you at the agreed time.",
            bringHeading: "What to bring",
            arrivalHeading: "When you arrive",
            arrivalText: {
                "Please come a few minutes early. When you arrive, show this QR code or your reference \($0) at the kiosk to check in."
            },
            qrAlt: { "QR code of your appointment \($0)" },
            manageHeading: "Move or cancel",
            manageText: "Does the time no longer suit you? The link below opens a page where you can move or cancel your appointment. "
                + "Do not share this link: anyone who has it can change your appointment.",
            manageLink: "Move or cancel my appointment",
            cannotComeHeading: "Can’t come?",
            cannotComeText: "Then please cancel your appointment, so that someone else can have the time. "
                + "The link below opens a page where you can move or cancel your appointment.",
            bookAgainHeading: "Choose a new time",
            bookAgainByCitizen: "Would you like to come after all? You can book a new appointment at any time.",
            bookAgainByOffice: "Please choose a new time that suits you.",
            bookAgainLink: "Book a new appointment",
            notYou: "Did you not cancel this appointment yourself? Then please contact us.",
            calendarBooked: "The appointment is attached, for your calendar.",
            calendarMoved: "The updated appointment is attached, for your calendar.",
            calendarCancelled: "The attachment removes the appointment from your calendar.",
            closing: "Kind regards,",
            automatic: "This e-mail was sent automatically.",
            replyHint: "Any questions? Simply reply to this e-mail.",
            calendarFile: "appointment",
            colon: ":",
            forPersons: { $0 == 1 ? "for 1 person" : "for \($0) people" },
            minutes: { total in
                let h = total / 60, m = total % 60
                let minutes = m == 1 ? "1 minute" : "\(m) minutes"
                guard h > 0 else { return minutes }
                let hours = h == 1 ? "1 hour" : "\(h) hours"
                return m == 0 ? hours : "\(hours) and \(minutes)"
            },
            date: date,
            dateTime: { d, t in "\(date(d)) at \(clock(t))" })
    }

    static var german: MailWording {
        let weekdays = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
        let months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                      "Oktober", "November", "Dezember"]
        let date = { (d: CivilDate) in "\(weekdays[d.weekday.rawValue - 1]), \(d.day). \(months[d.month - 1]) \(d.year)" }
        return MailWording(
            subjectBooked: "Terminbestätigung",
            subjectMoved: "Terminänderung",
            subjectCancelled: "Terminabsage",
            subjectReminder: "Terminerinnerung",
            titleBooked: "Ihr Termin ist bestätigt",
            titleMoved: "Ihr Termin wurde verschoben",
            titleCancelled: "Ihr Termin wurde abgesagt",
            titleReminder: "Ihr Termin steht bald an",
            greeting: { $0.isEmpty ? "Guten Tag," : "Guten Tag \($0)," },
            introBooked: "Vielen Dank für Ihre Terminbuchung. Alle Angaben finden Sie unten. Bitte bewahren Sie diese E-Mail auf.",
            introMoved: "Ihr Termin wurde verschoben. Den neuen Tag und die neue Uhrzeit finden Sie unten.",
            introCancelledByCitizen: "Ihr Termin wurde abgesagt. Danke, dass Sie uns Bescheid gegeben haben: So kann jemand anderes diese Zeit nutzen.",
            introCancelledByOffice: "Leider müssen wir Ihren Termin absagen.",
            introReminder: "Ihr Termin bei uns steht bald an. Hier noch einmal das Wichtigste.",
            reason: "Grund",
            apology: "Bitte entschuldigen Sie die Unannehmlichkeiten.",
            detailsHeading: "Ihr Termin",
            cancelledDetailsHeading: "Der abgesagte Termin",
            what: "Was",
            whereLabel: "Wo",
            when: "Wann",
            newWhen: "Neuer Termin",
            previousWhen: "Bisheriger Termin",
            duration: "Dauer",
            reference: "Referenz",
            videoCall: "Videogespräch",
            videoText: "Ihr Termin findet als Videogespräch statt. Sie müssen also nicht vorbeikommen. "
                + "Klicken Sie zur vereinbarten Zeit auf den Link unten. "
                + "Sie brauchen einen Computer, ein Tablet oder ein Smartphone mit Kamera und Mikrofon.",
            videoJoin: "Am Videogespräch teilnehmen",
            remoteText: "Dieser Termin findet aus der Ferne statt: Sie müssen nicht vorbeikommen. Wir melden uns zur vereinbarten Zeit bei Ihnen.",
            bringHeading: "Bitte mitbringen",
            arrivalHeading: "Bei Ihrer Ankunft",
            arrivalText: {
                "Bitte kommen Sie einige Minuten vor Ihrem Termin. Zeigen Sie bei Ihrer Ankunft diesen QR-Code "
                    + "oder Ihre Referenz \($0) am Kiosk, um sich anzumelden."
            },
            qrAlt: { "QR-Code Ihres Termins \($0)" },
            manageHeading: "Verschieben oder absagen",
            manageText: "Passt Ihnen die Zeit doch nicht? Der Link unten öffnet eine Seite, auf der Sie Ihren Termin verschieben "
                + "oder absagen können. Geben Sie diesen Link nicht weiter: Wer ihn hat, kann Ihren Termin ändern.",
            manageLink: "Meinen Termin verschieben oder absagen",
            cannotComeHeading: "Sie können nicht kommen?",
            cannotComeText: "Dann sagen Sie Ihren Termin bitte ab, damit jemand anderes die Zeit nutzen kann. "
                + "Der Link unten öffnet eine Seite, auf der Sie Ihren Termin verschieben oder absagen können.",
            bookAgainHeading: "Einen neuen Termin wählen",
            bookAgainByCitizen: "Möchten Sie doch vorbeikommen? Sie können jederzeit einen neuen Termin vereinbaren.",
            bookAgainByOffice: "Wählen Sie einfach einen neuen Termin, der Ihnen passt.",
            bookAgainLink: "Neuen Termin vereinbaren",
            notYou: "Sie haben diesen Termin nicht selbst abgesagt? Dann nehmen Sie bitte Kontakt mit uns auf.",
            calendarBooked: "Den Termin für Ihren Kalender finden Sie im Anhang.",
            calendarMoved: "Den geänderten Termin für Ihren Kalender finden Sie im Anhang.",
            calendarCancelled: "Mit dem Anhang entfernen Sie den Termin aus Ihrem Kalender.",
            closing: "Mit freundlichen Grüßen",
            automatic: "Diese E-Mail wurde automatisch versendet.",
            replyHint: "Haben Sie Fragen? Antworten Sie einfach auf diese E-Mail.",
            calendarFile: "termin",
            colon: ":",
            forPersons: { $0 == 1 ? "für 1 Person" : "für \($0) Personen" },
            minutes: { total in
                let h = total / 60, m = total % 60
                let minutes = m == 1 ? "1 Minute" : "\(m) Minuten"
                guard h > 0 else { return minutes }
                let hours = h == 1 ? "1 Stunde" : "\(h) Stunden"
                return m == 0 ? hours : "\(hours) und \(minutes)"
            },
            date: date,
            dateTime: { d, t in "\(date(d)) um \(clock(t)) Uhr" })
    }
}
