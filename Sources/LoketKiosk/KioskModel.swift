// The terminal kiosk's state machine: screens, typed input, paging, language, connection state,
// retries and time-outs. It does no I/O and reads no clock: each event comes with `now` (seconds on
// a monotonic clock) and the answer is a list of ``KioskEffect``s for the runner to carry out.
//
// Screens: the start screen (service list and check-in prompt; shown as "out of service" while
// the server cannot be reached), a ticket screen and a message screen, both of which return to
// the start after `resetSeconds`. Connection: starting → online ⇄ outage (retried with back-off
// 1, 2, 4 … 30 s), or notConfigured when the server does not know the location.
//
// Typing on the start screen: a number and Enter asks for a walk-in ticket, a reference and Enter
// checks in, one letter and Enter jumps to the category with that key (shown by its heading).
import LoketCore

/// The kiosk's whole state and its transitions.
public struct KioskModel: Sendable {
    /// Whether the server can be used.
    public enum Connection: Equatable, Sendable {
        /// Nothing loaded yet.
        case starting
        case online
        /// The server did not answer; retrying with back-off.
        case outage
        /// The server does not know this location (or refuses the kiosk).
        case notConfigured
    }

    /// What a ticket screen shows besides the ticket.
    public enum PrintState: Equatable, Sendable {
        /// No printer configured: the screen is the ticket.
        case none
        case printing
        case printed
        case failed
    }

    /// The ticket screen's content.
    public struct TicketView: Equatable, Sendable {
        /// The ticket as the server issued it.
        public var ticket: IssuedTicket
        /// Made by checking in an appointment rather than walking in.
        public var checkIn: Bool
        /// The service's name in the kiosk's language when known, else the server's.
        public var serviceName: String
        /// How printing it went.
        public var print: PrintState
    }

    /// A message screen: a title and a few lines, already in the kiosk's language.
    public struct MessageView: Equatable, Sendable {
        /// The headline, e.g. "U bent te vroeg".
        public var title: String
        /// Sentences that explain it and say what to do.
        public var lines: [String]
    }

    /// A short line on the start screen about the last Enter.
    public enum Notice: Equatable, Sendable {
        case noSuchNumber(Int)
        case invalidReference
        /// A lone letter that is no category's key.
        case noSuchCategory(Character)
    }

    /// Which screen shows.
    public enum Screen: Equatable, Sendable {
        case start
        case ticket(TicketView)
        case message(MessageView)
    }

    /// The command-line settings.
    public let settings: KioskSettings
    /// The screen showing now.
    public private(set) var screen: Screen = .start
    /// Whether the server can be used.
    public private(set) var connection: Connection = .starting
    /// The language shown now (the visitor may switch with `/`).
    public private(set) var language: Language
    /// The location as last loaded, in ``language``.
    public private(set) var location: LocationInfo?
    /// The services open for walk-in now, in list order.
    public private(set) var services: [ServiceEntry] = []
    /// Zero-based page of the service list.
    public private(set) var page = 0
    /// What has been typed on the start screen.
    public private(set) var input = ""
    /// Feedback on the last Enter, until the next key.
    public private(set) var notice: Notice?
    /// A ticket request is on its way.
    public private(set) var busy = false
    /// The terminal's size; the list's paging depends on it.
    public private(set) var size: TerminalSize
    /// The latest `now` seen, for countdowns on screen.
    public private(set) var now: Double
    /// When the next catalogue load is due.
    public private(set) var nextLoadAt: Double
    /// When the ticket or message screen gives way to the start screen.
    public private(set) var screenDeadline: Double?
    private var screenShownAt: Double
    private var loading = false
    private var backoff = Backoff()
    private var lastKeyAt: Double
    private var lastInterruptAt: Double?

    /// A kiosk that has not loaded anything yet; the first ``KioskEvent/tick`` asks for the catalogue.
    public init(settings: KioskSettings, size: TerminalSize = .vt100, now: Double) {
        self.settings = settings
        self.language = settings.language
        self.size = size
        self.now = now
        self.nextLoadAt = now
        self.lastKeyAt = now
        self.screenShownAt = now
    }

    /// The service list laid out for the current size.
    public var pager: ServicePager {
        ServicePager(services: services, rows: ScreenRenderer.listRows(for: size), columns: ScreenRenderer.listColumns(for: size))
    }

    /// Seconds until the next retry while out of service.
    public var retryIn: Double { max(0, nextLoadAt - now) }

    // MARK: events

    /// Applies one event; returns what the runner must do.
    public mutating func handle(_ event: KioskEvent, now: Double) -> [KioskEffect] {
        self.now = max(self.now, now)
        var effects: [KioskEffect] = []
        switch event {
        case let .key(key):
            effects = handleKey(key)
        case .tick:
            effects = tick()
        case let .resized(newSize):
            size = newSize
            page = min(page, pager.pageCount - 1)
        case let .catalogue(result, lang):
            effects = catalogueArrived(result, lang)
        case let .ticket(result, request):
            effects = ticketArrived(result, request)
        case let .printed(ticketID, ok):
            if case var .ticket(view) = screen, view.ticket.id == ticketID {
                view.print = ok ? .printed : .failed
                screen = .ticket(view)
                if !ok { screenDeadline = max(screenDeadline ?? 0, self.now + settings.resetSeconds) }
            }
        case .interruptSignal:
            effects = interrupt()
        case .terminate:
            effects = [.quit]
        }
        return effects + dueLoad()
    }

    /// Asks for the catalogue when a load is due and none is running.
    private mutating func dueLoad() -> [KioskEffect] {
        guard !loading, now >= nextLoadAt else { return [] }
        loading = true
        return [.loadCatalogue(language)]
    }

    private mutating func tick() -> [KioskEffect] {
        if let deadline = screenDeadline, now >= deadline {
            resetToStart()
        } else if screen == .start, now - lastKeyAt >= settings.idleSeconds,
                  !input.isEmpty || page != 0 || notice != nil || language != settings.language {
            resetToStart()
        }
        return []
    }

    /// Back to a clean start screen in the default language.
    private mutating func resetToStart() {
        screen = .start
        screenDeadline = nil
        input = ""
        page = 0
        notice = nil
        if language != settings.language {
            language = settings.language
            nextLoadAt = min(nextLoadAt, now)
        }
    }

    private mutating func interrupt() -> [KioskEffect] {
        if let last = lastInterruptAt, now - last <= settings.quitWindow { return [.quit] }
        lastInterruptAt = now
        lastKeyAt = now
        resetToStart()
        return []
    }

    // MARK: keys

    private mutating func handleKey(_ key: Key) -> [KioskEffect] {
        if key == .interrupt { return interrupt() }
        if key == .redraw { return [] }
        switch screen {
        case .ticket, .message:
            guard now - screenShownAt >= settings.keyGuardSeconds else { return [] }
            lastKeyAt = now
            resetToStart()
            switch key {
            case .character("*"), .enter, .escape, .backspace:
                return []
            default:
                // A digit or letter starts the next visitor's input straight away.
                return startKey(key)
            }
        case .start:
            lastKeyAt = now
            return startKey(key)
        }
    }

    private var inputHasLetter: Bool { input.contains { $0.isLetter } }

    private mutating func startKey(_ key: Key) -> [KioskEffect] {
        guard connection == .online, !busy else { return [] }
        switch key {
        case let .character(c):
            switch c {
            case "+":
                nextPage()
            case "-" where inputHasLetter || input.count == 3:
                type("-")
            case "-":
                previousPage()
            case "*":
                input = ""
                page = 0
                notice = nil
            case "/" where inputHasLetter:
                type("/")
            case "/":
                return cycleLanguage()
            default:
                type(c)
            }
        case let .text(s):
            for c in s { type(c) }
        case .enter:
            return submit()
        case .backspace:
            if !input.isEmpty { input.removeLast() }
            notice = nil
        case .escape:
            input = ""
            page = 0
            notice = nil
        case .pageDown, .right, .down:
            nextPage()
        case .pageUp, .left, .up:
            previousPage()
        case .home:
            page = 0
        case .end:
            page = pager.pageCount - 1
        case .interrupt, .redraw:
            break
        }
        return []
    }

    private mutating func type(_ c: Character) {
        guard KioskInput.accepts(c), input.count < KioskInput.maximumLength, !(c == " " && input.isEmpty) else { return }
        input.append(c)
        notice = nil
    }

    private mutating func nextPage() {
        page = min(page + 1, pager.pageCount - 1)
    }

    private mutating func previousPage() {
        page = max(page - 1, 0)
    }

    private mutating func cycleLanguage() -> [KioskEffect] {
        let all = Language.allCases
        let index = all.firstIndex(of: language) ?? 0
        language = all[(index + 1) % all.count]
        notice = nil
        // Names of the location and services come in the new language with the next load.
        nextLoadAt = now
        return []
    }

    private mutating func submit() -> [KioskEffect] {
        let line = input
        input = ""
        // One letter and Enter jumps to that category. No reference is one letter long, so a
        // reference typed in full (which starts with a letter too) still checks in.
        let trimmed = line.filter { $0 != " " }
        if trimmed.count == 1, let letter = trimmed.first, letter.isASCII, letter.isLetter {
            if let p = pager.page(ofCategory: letter) {
                page = p
                notice = nil
            } else {
                notice = .noSuchCategory(Character(letter.uppercased()))
            }
            return []
        }
        switch KioskInput.classify(line) {
        case .empty:
            return []
        case let .service(n):
            guard n >= 1, n <= services.count else {
                notice = .noSuchNumber(n)
                return []
            }
            busy = true
            notice = nil
            if let p = pager.page(of: n) { page = p }
            return [.requestTicket(.walkIn(service: services[n - 1].id))]
        case let .reference(reference):
            busy = true
            notice = nil
            return [.requestTicket(.checkIn(reference: reference))]
        case .invalidReference:
            notice = .invalidReference
            return []
        }
    }

    // MARK: answers

    private mutating func catalogueArrived(_ result: APIResult<CatalogueSnapshot>, _ lang: Language) -> [KioskEffect] {
        loading = false
        switch result {
        case let .success(snapshot):
            backoff.reset()
            guard lang == language else {
                // The language changed while loading: load again at once.
                nextLoadAt = now
                return []
            }
            location = snapshot.location
            services = snapshot.services.filter { $0.walkInOpenNow == true }
            connection = .online
            nextLoadAt = now + settings.refreshSeconds
            page = min(page, pager.pageCount - 1)
        case .outage:
            connection = .outage
            input = ""
            nextLoadAt = now + backoff.next()
        case let .problem(problem):
            if problem.status == 404 || problem.status == 401 || problem.status == 403 {
                connection = .notConfigured
            } else if connection != .online {
                // A refusal we cannot explain (e.g. rate limited): out of service until a retry works.
                connection = .outage
            }
            nextLoadAt = now + backoff.next()
        }
        return []
    }

    private mutating func ticketArrived(_ result: APIResult<IssuedTicket>, _ request: TicketRequest) -> [KioskEffect] {
        busy = false
        lastKeyAt = now
        let text = KioskText(language)
        switch result {
        case let .success(ticket):
            guard ticket.isComplete else {
                show(MessageView(title: text.genericTitle, lines: [text.generic]))
                return []
            }
            let name = services.first { $0.id == ticket.service }?.name ?? ticket.serviceName ?? ticket.service ?? ""
            let checkIn: Bool
            if case .checkIn = request { checkIn = true } else { checkIn = false }
            let view = TicketView(ticket: ticket, checkIn: checkIn, serviceName: PlainText.printable(name),
                                  print: settings.hasPrinter ? .printing : .none)
            screen = .ticket(view)
            screenShownAt = now
            screenDeadline = now + settings.resetSeconds
            input = ""
            notice = nil
            guard settings.hasPrinter else { return [] }
            let receipt = TicketReceipt(ticket: ticket, serviceName: view.serviceName, locationName: location?.name ?? "",
                                        language: language, server: settings.server, checkIn: checkIn)
            return [.print(receipt, ticketID: ticket.id)]
        case let .problem(problem):
            show(explain(problem, request))
            if problem.code == "service_closed" || problem.code == "unknown_service" || problem.code == "validation_failed" {
                // The list was stale: refresh it now.
                nextLoadAt = min(nextLoadAt, now)
            }
            return []
        case .outage:
            connection = .outage
            screen = .start
            screenDeadline = nil
            input = ""
            if !loading { nextLoadAt = now + backoff.next() }
            return []
        }
    }

    private mutating func show(_ message: MessageView) {
        screen = .message(message)
        screenShownAt = now
        screenDeadline = now + settings.resetSeconds
    }

    /// The message for a refused ticket request, in the kiosk's language.
    public func explain(_ problem: APIProblem, _ request: TicketRequest) -> MessageView {
        let text = KioskText(language)
        if problem.status == 401 || problem.status == 403 {
            return MessageView(title: text.notConfigured, lines: [])
        }
        let reference: String
        if case let .checkIn(r) = request { reference = r } else { reference = "" }
        // With the date: an appointment on another day is also "too early" or "not today".
        func appointmentAt() -> String? {
            problem[.appointmentStart].flatMap(ServerTime.init).map { text.appointmentAt(text.dateTime(date: $0.dateText, time: $0.timeText)) }
        }
        switch problem.code {
        case "service_closed":
            var serviceName = ""
            if case let .walkIn(id) = request { serviceName = services.first { $0.id == id }?.name ?? "" }
            var lines = [text.serviceClosed(serviceName.isEmpty ? text.serviceLabel : serviceName)]
            if let next = problem[.nextOpening].flatMap(ServerTime.init) {
                lines.append(text.nextOpening(text.dateTime(date: next.dateText, time: next.timeText)))
            }
            return MessageView(title: text.serviceClosedTitle, lines: lines)
        case "too_early":
            let opens = problem[.checkInOpens].flatMap(ServerTime.init)
            return MessageView(title: text.tooEarlyTitle, lines: [text.tooEarly(opens: opens?.timeText)] + [appointmentAt()].compactMap { $0 })
        case "too_late":
            return MessageView(title: text.tooLateTitle, lines: [text.tooLate])
        case "appointment_missed":
            return MessageView(title: text.appointmentMissedTitle, lines: [text.appointmentMissed])
        case "already_checked_in":
            var lines = [text.already]
            if let number = problem[.number].map(PlainText.printable), !number.isEmpty, number.count <= 16 {
                lines.append(text.yourNumber(number))
            }
            return MessageView(title: text.alreadyTitle, lines: lines)
        case "cancelled":
            return MessageView(title: text.cancelledTitle, lines: [text.cancelled])
        case "not_today":
            return MessageView(title: text.notTodayTitle, lines: [text.notToday] + [appointmentAt()].compactMap { $0 })
        case "wrong_location":
            let line = text.wrongLocation(PlainText.printable(problem[.locationName] ?? ""), PlainText.printable(problem[.address] ?? ""))
            return MessageView(title: text.wrongLocationTitle, lines: [line] + [appointmentAt()].compactMap { $0 })
        case "rate_limited":
            return MessageView(title: text.busyTitle, lines: [text.busy])
        default:
            if problem.status == 404, !reference.isEmpty {
                return MessageView(title: text.notFoundTitle, lines: [text.notFound(reference)])
            }
            return MessageView(title: text.genericTitle, lines: [text.generic])
        }
    }
}
