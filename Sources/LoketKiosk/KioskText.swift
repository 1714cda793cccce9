// Every sentence the terminal kiosk shows or prints, in Dutch, French, English and German.
// Kept short enough for an 80-column screen and a 42-column receipt; the plain-language
// explanations of the check-in answers mirror the touch kiosk's.
import LoketCore

/// The kiosk's texts in one language (internal: the screens and receipts are the public face).
struct KioskText: Sendable {
    let language: Language

    init(_ language: Language) {
        self.language = language
    }

    private func pick(_ nl: String, _ fr: String, _ en: String, _ de: String) -> String {
        switch language {
        case .nl: return nl
        case .fr: return fr
        case .en: return en
        case .de: return de
        }
    }

    /// The language's own name, for the language switch.
    var languageName: String { pick("Nederlands", "Français", "English", "Deutsch") }

    // MARK: start screen

    var chooseService: String {
        pick("Kies uw dienst: typ het nummer en druk Enter.",
             "Choisissez votre service : tapez le numéro et appuyez sur Enter.",
             "Choose your service: type its number and press Enter.",
             "Wählen Sie Ihren Dienst: Nummer eingeben und Enter drücken.")
    }
    var checkInHint: String {
        pick("Afspraak? Typ of scan uw referentie (bv. K7M-3QX) en druk Enter.",
             "Rendez-vous ? Tapez ou scannez votre référence (ex. K7M-3QX) + Enter.",
             "Appointment? Type or scan your reference (e.g. K7M-3QX), press Enter.",
             "Termin? Referenz eingeben oder scannen (z. B. K7M-3QX) und Enter.")
    }
    var prompt: String { pick("Nummer of referentie:", "Numéro ou référence :", "Number or reference:", "Nummer oder Referenz:") }
    func page(_ n: Int, of total: Int) -> String {
        pick("Pagina \(n) van \(total)", "Page \(n) sur \(total)", "Page \(n) of \(total)", "Seite \(n) von \(total)")
    }
    var keysMoreHelp: String {
        pick("+ volgende pagina   - vorige pagina", "+ page suivante   - page précédente",
             "+ next page   - previous page", "+ nächste Seite   - vorige Seite")
    }
    var keysHelp: String {
        pick("* terug   / taal · langue · language · Sprache", "* retour   / langue · taal · language · Sprache",
             "* back   / language · taal · langue · Sprache", "* zurück   / Sprache · taal · langue · language")
    }
    /// How to jump to a category; `key` is a key shown on the screen, as the example.
    func categoryHint(_ key: Character) -> String {
        pick("Naar een categorie: typ haar letter (bv. \(key)) en druk Enter.",
             "Aller à une catégorie : tapez sa lettre (ex. \(key)) + Enter.",
             "Go to a category: type its letter (e.g. \(key)), press Enter.",
             "Zu einer Kategorie: ihren Buchstaben (etwa \(key)) und Enter.")
    }
    func noSuchCategory(_ key: Character) -> String {
        pick("Er is geen categorie met letter \(key).", "Il n'y a pas de catégorie avec la lettre \(key).",
             "There is no category with letter \(key).", "Es gibt keine Kategorie mit dem Buchstaben \(key).")
    }
    var noServicesOpen: String {
        pick("Er zijn nu geen diensten open zonder afspraak. Meld u aan de balie.",
             "Aucun service n'est ouvert sans rendez-vous pour le moment. Adressez-vous à l'accueil.",
             "No services are open for walk-in right now. Please ask at the desk.",
             "Zurzeit sind keine Dienste ohne Termin geöffnet. Bitte melden Sie sich am Schalter.")
    }
    var loading: String { pick("Even geduld…", "Un instant…", "One moment…", "Einen Moment…") }
    func noSuchNumber(_ n: Int) -> String {
        pick("Er is geen dienst met nummer \(n).", "Il n'y a pas de service numéro \(n).",
             "There is no service number \(n).", "Es gibt keinen Dienst mit der Nummer \(n).")
    }
    var invalidReference: String {
        pick("Deze referentie klopt niet. Kijk ze na (bv. K7M-3QX).",
             "Cette référence n'est pas valable. Vérifiez-la (ex. K7M-3QX).",
             "This reference is not valid. Please check it (e.g. K7M-3QX).",
             "Diese Referenz ist ungültig. Bitte prüfen (z. B. K7M-3QX).")
    }

    // MARK: out of service

    var outOfService: String {
        pick("Buiten dienst – meld u aan de balie", "Hors service – adressez-vous à l'accueil",
             "Out of service – please ask at the desk", "Außer Betrieb – bitte melden Sie sich am Schalter")
    }
    var apology: String {
        pick("Excuses voor het ongemak.", "Veuillez nous excuser.", "We apologise for the inconvenience.",
             "Wir bitten um Entschuldigung.")
    }
    var notConfigured: String {
        pick("Kiosk niet ingesteld – meld u aan de balie", "Borne non configurée – adressez-vous à l'accueil",
             "Kiosk not set up – please ask at the desk", "Kiosk nicht eingerichtet – bitte melden Sie sich am Schalter")
    }

    // MARK: ticket

    var ticketHeading: String { pick("Uw volgnummer", "Votre numéro", "Your number", "Ihre Nummer") }
    var checkedInHeading: String {
        pick("U bent aangemeld. Uw volgnummer", "Vous êtes enregistré. Votre numéro",
             "You are checked in. Your number", "Sie sind angemeldet. Ihre Nummer")
    }
    var serviceLabel: String { pick("Dienst", "Service", "Service", "Dienst") }
    func position(_ n: Int) -> String {
        pick("Plaats in de rij: \(n)", "Place dans la file : \(n)", "Place in the queue: \(n)", "Platz in der Warteschlange: \(n)")
    }
    func wait(_ minutes: Int) -> String {
        minutes <= 1
            ? pick("U bent bijna aan de beurt.", "C'est bientôt votre tour.", "It is almost your turn.", "Sie sind gleich an der Reihe.")
            : pick("Geschatte wachttijd: ongeveer \(minutes) min", "Attente estimée : environ \(minutes) min",
                   "Estimated wait: about \(minutes) min", "Geschätzte Wartezeit: etwa \(minutes) Min.")
    }
    /// What to say about the wait: when the counters open if none is open yet (never "0 minutes"), else the estimate; nil without one.
    func waitLine(_ ticket: IssuedTicket) -> String? {
        if ticket.countersOpen == false {
            if let opens = ticket.opensAt.flatMap(ServerTime.init) {
                let at = opens.timeText
                return pick("De loketten openen om \(at).", "Les guichets ouvrent à \(at).", "The counters open at \(at).",
                            "Die Schalter öffnen um \(at).")
            }
            return pick("De loketten zijn nog niet open.", "Les guichets ne sont pas encore ouverts.", "The counters are not open yet.",
                        "Die Schalter sind noch nicht geöffnet.")
        }
        guard let minutes = ticket.estimatedWaitMinutes, minutes >= 0 else { return nil }
        return wait(minutes)
    }
    var followOnPhone: String {
        pick("Volg uw beurt op uw gsm:", "Suivez votre tour sur votre GSM :", "Follow your turn on your phone:",
             "Verfolgen Sie Ihre Reihe auf dem Handy:")
    }
    var scanToFollow: String {
        pick("Scan om uw beurt te volgen", "Scannez pour suivre votre tour", "Scan to follow your turn", "Scannen, um Ihre Reihe zu verfolgen")
    }
    var takeTicket: String { pick("Neem uw ticket.", "Prenez votre ticket.", "Take your ticket.", "Nehmen Sie Ihr Ticket.") }
    var printing: String { pick("Uw ticket wordt afgedrukt…", "Impression du ticket…", "Printing your ticket…", "Ihr Ticket wird gedruckt…") }
    var printerFailed: String {
        pick("Printer werkt niet – meld u aan de balie", "L'imprimante ne fonctionne pas – adressez-vous à l'accueil",
             "Printer not working – please ask at the desk", "Drucker funktioniert nicht – bitte melden Sie sich am Schalter")
    }
    var rememberNumber: String {
        pick("Onthoud uw nummer: het wordt afgeroepen op het scherm.", "Retenez votre numéro : il sera appelé à l'écran.",
             "Remember your number: it will be called on the screen.", "Merken Sie sich Ihre Nummer: sie wird am Bildschirm aufgerufen.")
    }
    var waitForCall: String {
        pick("Wacht tot uw nummer wordt afgeroepen.", "Attendez l'appel de votre numéro.",
             "Please wait until your number is called.", "Bitte warten Sie, bis Ihre Nummer aufgerufen wird.")
    }
    func backToStart(in seconds: Int) -> String {
        pick("Terug naar het begin over \(seconds) s (of druk *)", "Retour à l'accueil dans \(seconds) s (ou appuyez sur *)",
             "Back to the start in \(seconds) s (or press *)", "Zurück zum Start in \(seconds) s (oder * drücken)")
    }
    var continueHint: String {
        pick("Druk * of Enter om verder te gaan.", "Appuyez sur * ou Enter pour continuer.",
             "Press * or Enter to continue.", "* oder Enter drücken, um fortzufahren.")
    }

    // MARK: answers to explain

    var serviceClosedTitle: String { pick("Dienst gesloten", "Service fermé", "Service closed", "Dienst geschlossen") }
    func serviceClosed(_ service: String) -> String {
        pick("\(service) is nu niet open zonder afspraak.", "\(service) n'est pas ouvert sans rendez-vous maintenant.",
             "\(service) is not open for walk-in right now.", "\(service) ist jetzt nicht ohne Termin geöffnet.")
    }
    func nextOpening(_ when: String) -> String {
        pick("Weer open: \(when).", "Réouverture : \(when).", "Open again: \(when).", "Wieder geöffnet: \(when).")
    }
    var notFoundTitle: String { pick("Afspraak niet gevonden", "Rendez-vous introuvable", "Appointment not found", "Termin nicht gefunden") }
    func notFound(_ reference: String) -> String {
        pick("We vinden geen afspraak met referentie \(reference). Kijk ze na of meld u aan de balie.",
             "Aucun rendez-vous avec la référence \(reference). Vérifiez-la ou adressez-vous à l'accueil.",
             "We cannot find an appointment with reference \(reference). Check it or ask at the desk.",
             "Kein Termin mit der Referenz \(reference). Bitte prüfen oder am Schalter melden.")
    }
    var tooEarlyTitle: String { pick("U bent te vroeg", "Vous êtes en avance", "You are too early", "Sie sind zu früh") }
    func tooEarly(opens: String?) -> String {
        if let opens {
            return pick("Aanmelden kan vanaf \(opens).", "Vous pourrez vous enregistrer à partir de \(opens).",
                        "You can check in from \(opens).", "Anmelden ist ab \(opens) möglich.")
        }
        return pick("Aanmelden kan kort voor het uur van uw afspraak.", "Vous pourrez vous enregistrer peu avant votre rendez-vous.",
                    "You can check in shortly before your appointment.", "Anmelden ist kurz vor Ihrem Termin möglich.")
    }
    func appointmentAt(_ when: String) -> String {
        pick("Uw afspraak: \(when).", "Votre rendez-vous : \(when).", "Your appointment: \(when).", "Ihr Termin: \(when).")
    }
    var tooLateTitle: String { pick("U bent te laat", "Vous êtes en retard", "You are too late", "Sie sind zu spät") }
    var tooLate: String {
        pick("Het uur van uw afspraak is voorbij. Meld u aan de balie.", "L'heure de votre rendez-vous est passée. Adressez-vous à l'accueil.",
             "The time of your appointment has passed. Please ask at the desk.", "Ihr Termin ist vorbei. Bitte melden Sie sich am Schalter.")
    }
    var appointmentMissedTitle: String { pick("Afspraak gemist", "Rendez-vous manqué", "Appointment missed", "Termin versäumt") }
    var appointmentMissed: String {
        pick("Deze afspraak werd gemist. Meld u aan de balie.", "Ce rendez-vous a été manqué. Adressez-vous à l'accueil.",
             "This appointment was missed. Please ask at the desk.", "Dieser Termin wurde versäumt. Bitte melden Sie sich am Schalter.")
    }
    var alreadyTitle: String { pick("Al aangemeld", "Déjà enregistré", "Already checked in", "Bereits angemeldet") }
    var already: String {
        pick("U bent al aangemeld voor deze afspraak. Wacht tot uw nummer wordt afgeroepen.",
             "Vous êtes déjà enregistré pour ce rendez-vous. Attendez l'appel de votre numéro.",
             "You are already checked in for this appointment. Wait until your number is called.",
             "Sie sind für diesen Termin bereits angemeldet. Warten Sie auf den Aufruf Ihrer Nummer.")
    }
    var cancelledTitle: String { pick("Afspraak geannuleerd", "Rendez-vous annulé", "Appointment cancelled", "Termin storniert") }
    var cancelled: String {
        pick("Deze afspraak is geannuleerd. Meld u aan de balie.", "Ce rendez-vous a été annulé. Adressez-vous à l'accueil.",
             "This appointment was cancelled. Please ask at the desk.", "Dieser Termin wurde storniert. Bitte melden Sie sich am Schalter.")
    }
    var notTodayTitle: String { pick("Afspraak niet vandaag", "Rendez-vous pas aujourd'hui", "Appointment not today", "Termin nicht heute") }
    var notToday: String {
        pick("Uw afspraak is niet vandaag. Kom terug op de dag van uw afspraak.",
             "Votre rendez-vous n'est pas aujourd'hui. Revenez le jour du rendez-vous.",
             "Your appointment is not today. Please come back on the day of your appointment.",
             "Ihr Termin ist nicht heute. Kommen Sie am Tag Ihres Termins wieder.")
    }
    var wrongLocationTitle: String { pick("Andere locatie", "Autre lieu", "Another location", "Anderer Standort") }
    func wrongLocation(_ name: String, _ address: String) -> String {
        pick("Uw afspraak is in \(name), \(address).", "Votre rendez-vous a lieu à \(name), \(address).",
             "Your appointment is at \(name), \(address).", "Ihr Termin ist in \(name), \(address).")
    }
    var busyTitle: String { pick("Even geduld", "Un instant", "One moment", "Einen Moment") }
    var busy: String {
        pick("Het is druk. Probeer het zo dadelijk opnieuw.", "Il y a beaucoup de monde. Réessayez dans un instant.",
             "It is busy. Please try again in a moment.", "Es ist viel los. Bitte versuchen Sie es gleich noch einmal.")
    }
    var genericTitle: String { pick("Er ging iets mis", "Un problème est survenu", "Something went wrong", "Etwas ist schiefgelaufen") }
    var generic: String {
        pick("Probeer opnieuw of meld u aan de balie.", "Réessayez ou adressez-vous à l'accueil.",
             "Please try again or ask at the desk.", "Bitte erneut versuchen oder am Schalter melden.")
    }
    /// A date and time, e.g. "01/12/2026 om 13:00".
    func dateTime(date: String, time: String) -> String {
        pick("\(date) om \(time)", "\(date) à \(time)", "\(date) at \(time)", "\(date) um \(time)")
    }
    /// The number of a ticket issued earlier, e.g. "Uw volgnummer: A012".
    func yourNumber(_ number: String) -> String { "\(ticketHeading): \(number)" }
}
