// The kiosk's state machine, driven with a manual clock (`now` in seconds): keys, answers,
// printing, time-outs, language, Ctrl-C, out of service and recovery.
import LoketCore
import Testing
@testable import LoketKiosk

@Suite struct KioskModelTests {
    private static let reference: String = {
        var rng = SplitMix64(seed: 11)
        return ReferenceCode.generate(using: &rng)
    }()

    private func type(_ model: inout KioskModel, _ text: String, now: Double) -> [KioskEffect] {
        var effects: [KioskEffect] = []
        for c in text { effects += model.handle(.key(c == "\n" ? .enter : .character(c)), now: now) }
        return effects
    }

    // MARK: start and tickets

    @Test func firstTickLoadsTheCatalogueThenTheListShows() {
        var model = KioskModel(settings: TestData.settings(), now: 0)
        #expect(model.connection == .starting)
        #expect(model.handle(.tick, now: 0) == [.loadCatalogue(.nl)])
        #expect(model.handle(.tick, now: 0.25) == [])   // no second load while one runs
        var closed = TestData.services(3)
        closed[1].walkInOpenNow = false
        _ = model.handle(.catalogue(.success(CatalogueSnapshot(location: TestData.location, services: closed)), .nl), now: 0.5)
        #expect(model.connection == .online)
        #expect(model.services.map(\.id) == ["s1", "s3"])
        #expect(model.nextLoadAt == 30.5)
    }

    @Test func numberAndEnterAsksForATicketAndPrintsOnlyAfterIt() {
        var model = TestData.onlineModel()
        #expect(type(&model, "2", now: 1) == [])
        #expect(model.input == "2")
        #expect(type(&model, "\n", now: 1) == [.requestTicket(.walkIn(service: "s2"))])
        #expect(model.busy)
        // Keys while the request runs do nothing.
        #expect(type(&model, "3\n", now: 1.1) == [])
        var ticket = TestData.ticket
        ticket.service = "s2"
        let effects = model.handle(.ticket(.success(ticket), .walkIn(service: "s2")), now: 1.5)
        guard case let .ticket(view) = model.screen else {
            Issue.record("no ticket screen")
            return
        }
        #expect(view.serviceName == "Dienst nummer 2")   // the kiosk's language, not the server's
        #expect(view.print == .printing)
        #expect(effects.count == 1)
        guard case let .print(receipt, id)? = effects.first else {
            Issue.record("no print effect")
            return
        }
        #expect(id == "tid1")
        #expect(receipt.number == "A012")
        #expect(receipt.lines.first == "Dienst: Dienst nummer 2")
        #expect(receipt.lines.last == "Stadhuis Wilgendaal")
        #expect(receipt.link == "http://127.0.0.1:8080/t/tid1")
    }

    @Test func printerFailureIsShownAndTheTicketStays() {
        var model = TestData.onlineModel()
        _ = type(&model, "1\n", now: 1)
        _ = model.handle(.ticket(.success(TestData.ticket), .walkIn(service: "s1")), now: 2)
        _ = model.handle(.printed(ticketID: "tid1", ok: false), now: 7)
        guard case let .ticket(view) = model.screen else {
            Issue.record("ticket screen expected")
            return
        }
        #expect(view.print == .failed)
        #expect(model.screenDeadline == 22)   // 15 s more to note the number
        _ = model.handle(.tick, now: 21)
        #expect(model.screen != .start)
        _ = model.handle(.tick, now: 22)
        #expect(model.screen == .start)
    }

    @Test func withoutPrinterNothingIsPrinted() {
        var model = TestData.onlineModel(printer: false)
        _ = type(&model, "1\n", now: 1)
        let effects = model.handle(.ticket(.success(TestData.ticket), .walkIn(service: "s1")), now: 2)
        #expect(effects.isEmpty)
        if case let .ticket(view) = model.screen { #expect(view.print == .none) } else { Issue.record("no ticket") }
    }

    @Test func ticketScreenReturnsToStartAfterResetSeconds() {
        var model = TestData.onlineModel()
        _ = type(&model, "1\n", now: 1)
        _ = model.handle(.ticket(.success(TestData.ticket), .walkIn(service: "s1")), now: 2)
        _ = model.handle(.printed(ticketID: "tid1", ok: true), now: 2.5)
        _ = model.handle(.tick, now: 16.9)
        #expect(model.screen != .start)
        _ = model.handle(.tick, now: 17)
        #expect(model.screen == .start)
    }

    @Test func keysOnTheTicketScreen() {
        var model = TestData.onlineModel()
        _ = type(&model, "1\n", now: 1)
        _ = model.handle(.ticket(.success(TestData.ticket), .walkIn(service: "s1")), now: 2)
        // A bouncing Enter right after the ticket appears is ignored.
        _ = model.handle(.key(.enter), now: 2.2)
        #expect(model.screen != .start)
        // Later, a digit starts the next visitor's input.
        _ = model.handle(.key(.character("3")), now: 4)
        #expect(model.screen == .start)
        #expect(model.input == "3")
    }

    @Test func incompleteTicketBodyIsNeverPrinted() {
        var model = TestData.onlineModel()
        _ = type(&model, "1\n", now: 1)
        let bad = IssuedTicket(id: "", number: "A001")
        #expect(model.handle(.ticket(.success(bad), .walkIn(service: "s1")), now: 2) == [])
        if case .message = model.screen {} else { Issue.record("message expected") }
    }

    // MARK: typing

    @Test func unknownNumberGivesANoticeAndNoRequest() {
        var model = TestData.onlineModel(services: 5)
        #expect(type(&model, "9\n", now: 1) == [])
        #expect(model.notice == .noSuchNumber(9))
        #expect(type(&model, "0\n", now: 1) == [])
        #expect(model.notice == .noSuchNumber(0))
        _ = model.handle(.key(.character("1")), now: 2)
        #expect(model.notice == nil)
    }

    @Test func referenceChecksInAndATypoDoesNot() {
        var model = TestData.onlineModel()
        let r = Self.reference
        let bare = r.replacingOccurrences(of: "-", with: "").lowercased()
        #expect(model.handle(.key(.text(bare)), now: 1) == [])
        #expect(model.handle(.key(.enter), now: 1) == [.requestTicket(.checkIn(reference: r))])
        _ = model.handle(.ticket(.problem(APIProblem(status: 404, code: "not_found")), .checkIn(reference: r)), now: 2)
        guard case let .message(view) = model.screen else {
            Issue.record("message expected")
            return
        }
        #expect(view.title == "Afspraak niet gevonden")
        #expect(view.lines.first?.contains(r) == true)

        var other = TestData.onlineModel()
        #expect(type(&other, "K7M3QZ\n", now: 1) == [])
        #expect(other.notice == .invalidReference)
    }

    // MARK: category keys

    /// A valid reference that starts with K, a category key of ``TestData/townHall(_:)``:
    /// K7M-3Q and the check symbol that makes it valid.
    private static let kReference: String = ReferenceCode.alphabet.lazy.compactMap { ReferenceCode.normalize("K7M3Q\($0)") }.first!

    /// (keys typed, page after, notice, effects) on the town hall list at 80x24, where the
    /// categories B, O, S, F, N and K start on pages 0, 2, 4, 6, 8 and 10.
    @Test(arguments: [
        ("K\n", 10, nil, []), ("k\n", 10, nil, []), ("N\n", 8, nil, []), ("S \n", 4, nil, []),
        ("Z\n", 0, KioskModel.Notice.noSuchCategory("Z"), []),
        ("KK\n", 0, KioskModel.Notice.invalidReference, []),
        ("K\n12\n", 0, nil, [KioskEffect.requestTicket(.walkIn(service: "t12"))]),
        (kReference + "\n", 0, nil, [KioskEffect.requestTicket(.checkIn(reference: kReference))]),
        (kReference.lowercased().replacingOccurrences(of: "-", with: "") + "\n", 0, nil,
         [KioskEffect.requestTicket(.checkIn(reference: kReference))]),
    ] as [(String, Int, KioskModel.Notice?, [KioskEffect])])
    func letterAndEnterJumpsToACategory(typed: String, page: Int, notice: KioskModel.Notice?, effects: [KioskEffect]) {
        #expect(Self.kReference.hasPrefix("K7M-3Q"))  // K is also Kinderopvang's key
        var model = TestData.onlineModel(list: TestData.townHall())
        #expect(type(&model, typed, now: 1) == effects)
        #expect(model.page == page)
        #expect(model.notice == notice)
        #expect(model.input.isEmpty)
    }

    @Test func referenceTypedInFullChecksInWithoutJumping() {
        var model = TestData.onlineModel(list: TestData.townHall())
        for (i, c) in Self.kReference.enumerated() {
            #expect(model.handle(.key(.character(c)), now: 1) == [])
            #expect(model.page == 0, "after \(i + 1) keys")
        }
        #expect(model.input == Self.kReference)
        #expect(model.handle(.key(.enter), now: 1) == [.requestTicket(.checkIn(reference: Self.kReference))])
        // A scanner's burst too.
        var scanned = TestData.onlineModel(list: TestData.townHall())
        _ = scanned.handle(.key(.text(Self.kReference.lowercased())), now: 1)
        #expect(scanned.handle(.key(.enter), now: 1) == [.requestTicket(.checkIn(reference: Self.kReference))])
    }

    @Test func jumpFollowsTheLayoutAfterAResize() {
        var model = TestData.onlineModel(list: TestData.townHall(), size: TerminalSize(columns: 120, rows: 30))
        _ = type(&model, "K\n", now: 1)
        #expect(model.page == 3)
        _ = model.handle(.resized(.vt100), now: 2)
        _ = type(&model, "K\n", now: 2)
        #expect(model.page == 10)
    }

    @Test func dashIsTypedInAReferenceAndPagesBackOtherwise() {
        var model = TestData.onlineModel(services: 60)
        _ = model.handle(.key(.character("+")), now: 1)
        _ = model.handle(.key(.character("+")), now: 1)
        #expect(model.page == 2)
        _ = model.handle(.key(.character("-")), now: 1)
        #expect(model.page == 1)
        #expect(model.input.isEmpty)
        _ = type(&model, "K7M-", now: 1)
        #expect(model.input == "K7M-")
        #expect(model.page == 1)
        _ = model.handle(.key(.backspace), now: 1)
        #expect(model.input == "K7M")
        _ = model.handle(.key(.character("*")), now: 1)
        #expect(model.input.isEmpty)
        #expect(model.page == 0)
    }

    @Test func pagingStopsAtTheEnds() {
        var model = TestData.onlineModel(services: 60)
        let last = model.pager.pageCount - 1
        for _ in 0..<20 { _ = model.handle(.key(.pageDown), now: 1) }
        #expect(model.page == last)
        for _ in 0..<20 { _ = model.handle(.key(.character("-")), now: 1) }
        #expect(model.page == 0)
        _ = model.handle(.key(.end), now: 1)
        #expect(model.page == last)
    }

    @Test func selectingAServiceShowsItsPage() {
        var model = TestData.onlineModel(services: 60)
        _ = type(&model, "55\n", now: 1)
        #expect(model.page == model.pager.page(of: 55))
    }

    @Test func resizeKeepsThePageInRange() {
        var model = TestData.onlineModel(services: 60)
        _ = model.handle(.key(.end), now: 1)
        _ = model.handle(.resized(TerminalSize(columns: 200, rows: 80)), now: 1)
        #expect(model.page < model.pager.pageCount)
        #expect(model.pager.pageCount == 1)
    }

    // MARK: language

    @Test func slashCyclesTheLanguageAndReloads() {
        var model = TestData.onlineModel()
        #expect(model.handle(.key(.character("/")), now: 1) == [.loadCatalogue(.fr)])
        #expect(model.language == .fr)
        // Cycling again before the answer: the French answer is stale and triggers an English load.
        _ = model.handle(.key(.character("/")), now: 1.1)
        #expect(model.handle(.catalogue(.success(CatalogueSnapshot(location: TestData.location, services: [])), .fr), now: 1.2)
                == [.loadCatalogue(.en)])
        #expect(model.services.count == 5)
        // The visitor walks away: back to Dutch after the idle time.
        _ = model.handle(.catalogue(.success(CatalogueSnapshot(location: TestData.location, services: TestData.services(5))), .en), now: 1.3)
        #expect(model.handle(.tick, now: 61.1) == [.loadCatalogue(.nl)])
        #expect(model.language == .nl)
    }

    @Test func slashInsideAScannedURLIsText() {
        var model = TestData.onlineModel()
        _ = type(&model, "https://x/a/", now: 1)
        #expect(model.language == .nl)
        #expect(model.input == "https://x/a/")
    }

    // MARK: Ctrl-C

    @Test func ctrlCGoesBackAndTwiceQuits() {
        var model = TestData.onlineModel()
        _ = type(&model, "12", now: 1)
        #expect(model.handle(.key(.interrupt), now: 2) == [])
        #expect(model.input.isEmpty)
        #expect(model.handle(.key(.interrupt), now: 5) == [])   // 3 s later: not a quit
        #expect(model.handle(.interruptSignal, now: 6.5) == [.quit])
    }

    @Test func terminateQuits() {
        var model = TestData.onlineModel()
        #expect(model.handle(.terminate, now: 1).contains(.quit))
    }

    // MARK: out of service

    @Test func outageRetriesWithBackoffAndRecovers() {
        var model = KioskModel(settings: TestData.settings(), now: 0)
        var loads: [Double] = []
        var now = 0.0
        while now < 70 {
            if model.handle(.tick, now: now).contains(.loadCatalogue(.nl)) {
                loads.append(now)
                _ = model.handle(.catalogue(.outage, .nl), now: now)
                #expect(model.connection == .outage)
            }
            now += 0.25
        }
        #expect(loads == [0, 1, 3, 7, 15, 31, 61])
        // The server is back.
        now = 91
        #expect(model.handle(.tick, now: now) == [.loadCatalogue(.nl)])
        _ = model.handle(.catalogue(.success(CatalogueSnapshot(location: TestData.location, services: TestData.services(2))), .nl), now: now)
        #expect(model.connection == .online)
        // A later failure starts again at 1 s.
        _ = model.handle(.tick, now: 121)
        _ = model.handle(.catalogue(.outage, .nl), now: 121)
        #expect(model.nextLoadAt == 122)
    }

    @Test func deadServerOnTicketRequestGoesOutOfServiceWithoutPrinting() {
        var model = TestData.onlineModel()
        _ = type(&model, "1\n", now: 1)
        let effects = model.handle(.ticket(.outage, .walkIn(service: "s1")), now: 2)
        #expect(!effects.contains { if case .print = $0 { return true } else { return false } })
        #expect(model.connection == .outage)
        #expect(model.screen == .start)
        #expect(model.nextLoadAt == 3)
        // Keys do nothing while out of service (except Ctrl-C).
        #expect(type(&model, "1\n", now: 2.5) == [])
    }

    @Test func unknownLocationIsNotConfigured() {
        var model = KioskModel(settings: TestData.settings(), now: 0)
        _ = model.handle(.tick, now: 0)
        _ = model.handle(.catalogue(.problem(APIProblem(status: 404, code: "unknown_location")), .nl), now: 0)
        #expect(model.connection == .notConfigured)
        #expect(model.nextLoadAt == 1)
    }

    // MARK: explaining refusals

    @Test(arguments: [
        (APIProblem(status: 401, code: "unauthorized"), "Kiosk niet ingesteld – meld u aan de balie", nil),
        (APIProblem(status: 403, code: "forbidden"), "Kiosk niet ingesteld – meld u aan de balie", nil),
        (APIProblem(status: 409, code: "service_closed", members: [.nextOpening: "2026-12-02T08:30:00+01:00"]),
         "Dienst gesloten", "Weer open: 02/12/2026 om 08:30."),
        (APIProblem(status: 409, code: "too_early", members: [.checkInOpens: "2026-12-01T10:40:00+01:00",
                                                              .appointmentStart: "2026-12-01T11:10:00+01:00"]),
         "U bent te vroeg", "Aanmelden kan vanaf 10:40."),
        (APIProblem(status: 409, code: "too_early", members: [.checkInOpens: "2026-12-02T08:30:00+01:00",
                                                              .appointmentStart: "2026-12-02T09:00:00+01:00"]),
         "U bent te vroeg", "Uw afspraak: 02/12/2026 om 09:00."),
        (APIProblem(status: 409, code: "too_late", members: [.appointmentStart: "2026-12-01T08:00:00+01:00"]), "U bent te laat", nil),
        (APIProblem(status: 409, code: "appointment_missed", members: [.appointmentStart: "2026-12-01T08:00:00+01:00"]),
         "Afspraak gemist", "Deze afspraak werd gemist. Meld u aan de balie."),
        (APIProblem(status: 409, code: "already_checked_in", members: [.number: "A007"]), "Al aangemeld", "Uw volgnummer: A007"),
        (APIProblem(status: 409, code: "cancelled"), "Afspraak geannuleerd", nil),
        (APIProblem(status: 409, code: "not_today"), "Afspraak niet vandaag", nil),
        (APIProblem(status: 409, code: "not_today", members: [.appointmentStart: "2026-12-03T10:00:00+01:00"]),
         "Afspraak niet vandaag", "Uw afspraak: 03/12/2026 om 10:00."),
        (APIProblem(status: 409, code: "wrong_location", members: [.location: "elders", .locationName: "Dienstencentrum",
                                                                   .address: "Markt 1", .appointmentStart: "2026-12-01T10:00:00+01:00"]),
         "Andere locatie", "Uw afspraak is in Dienstencentrum, Markt 1."),
        (APIProblem(status: 429, code: "rate_limited", members: [.retryAfter: "30"]), "Even geduld", nil),
        (APIProblem(status: 422, code: "validation_failed"), "Er ging iets mis", nil),
    ] as [(APIProblem, String, String?)])
    func refusalsAreExplained(problem: APIProblem, title: String, line: String?) {
        var model = TestData.onlineModel()
        _ = type(&model, "1\n", now: 1)
        _ = model.handle(.ticket(.problem(problem), .walkIn(service: "s1")), now: 2)
        guard case let .message(view) = model.screen else {
            Issue.record("message expected")
            return
        }
        #expect(view.title == title)
        if let line { #expect(view.lines.contains(line), "\(view.lines)") }
    }

    @Test func onlyTheMembersTheServerSendsAreRead() {
        // Names an older server (or a guess) used: checkInFrom, earliest, start. They say nothing.
        let body = Array(#"{"status":409,"code":"too_early","checkInFrom":"2026-12-01T10:40:00+01:00","earliest":"2026-12-01T10:40:00+01:00","start":"2026-12-01T11:10:00+01:00"}"#.utf8)
        let problem = APIProblem(status: 409, body: body)
        #expect(problem.members.isEmpty)
        let model = TestData.onlineModel()
        let view = model.explain(problem, .checkIn(reference: "K7M-3QX"))
        #expect(view.title == "U bent te vroeg")
        #expect(view.lines == ["Aanmelden kan kort voor het uur van uw afspraak."])
    }

    @Test func missedAppointmentIsExplainedInEveryLanguage() {
        var titles: Set<String> = []
        for language in Language.allCases {
            var settings = TestData.settings()
            settings.language = language
            let model = KioskModel(settings: settings, now: 0)
            let view = model.explain(APIProblem(status: 409, code: "appointment_missed"), .checkIn(reference: "K7M-3QX"))
            #expect(view.title == KioskText(language).appointmentMissedTitle)
            #expect(view.title != KioskText(language).tooLateTitle)
            #expect(view.lines == [KioskText(language).appointmentMissed])
            titles.insert(view.title)
        }
        #expect(titles.count == Language.allCases.count)
    }

    @Test func explanationsExistInEveryLanguage() {
        for language in Language.allCases {
            var settings = TestData.settings()
            settings.language = language
            let model = KioskModel(settings: settings, now: 0)
            let view = model.explain(APIProblem(status: 409, code: "too_late"), .checkIn(reference: "X"))
            #expect(!view.title.isEmpty)
            #expect(Set(Language.allCases.map { KioskText($0).tooLateTitle }).count == 4)
        }
    }

    @Test func serviceClosedRefreshesTheList() {
        var model = TestData.onlineModel()
        _ = type(&model, "1\n", now: 1)
        let effects = model.handle(.ticket(.problem(APIProblem(status: 409, code: "service_closed")), .walkIn(service: "s1")), now: 2)
        #expect(effects == [.loadCatalogue(.nl)])
    }

    // MARK: anything goes

    @Test func randomEventsKeepTheModelSane() {
        let seed: UInt64 = 42
        print("KioskModel fuzz seed \(seed)")
        var rng = SplitMix64(seed: seed)
        var model = TestData.onlineModel(services: 40)
        var now = 1.0
        var issued: Set<String> = []
        let keys: [Key] = [.enter, .backspace, .escape, .interrupt, .redraw, .up, .down, .pageUp, .pageDown, .home, .end,
                           .character("1"), .character("+"), .character("-"), .character("*"), .character("/"),
                           .character("K"), .character("b"), .text("K7M-3QX"), .text(Self.reference)]
        for step in 0..<5000 {
            now += Double(rng.next() % 1000) / 250
            let event: KioskEvent
            switch rng.next() % 10 {
            case 0: event = .tick
            case 1: event = .catalogue(rng.next() % 2 == 0 ? .outage : .success(CatalogueSnapshot(location: TestData.location,
                                                                                                   services: TestData.services(Int(rng.next() % 50)))), .nl)
            case 2:
                var t = TestData.ticket
                t.id = "t\(step)"
                issued.insert(t.id)
                event = .ticket(rng.next() % 3 == 0 ? .outage : .success(t), .walkIn(service: "s1"))
            case 3: event = .resized(TerminalSize(columns: Int(rng.next() % 300), rows: Int(rng.next() % 100)))
            case 4: event = .printed(ticketID: "t\(step - 1)", ok: rng.next() % 2 == 0)
            default: event = .key(keys[Int(rng.next() % UInt64(keys.count))])
            }
            let effects = model.handle(event, now: now)
            for effect in effects {
                if case let .print(_, id) = effect { #expect(issued.contains(id)) }
                if effect == .quit {
                    // Only two interrupts close together may quit; start over.
                    model = TestData.onlineModel(services: 40)
                }
            }
            #expect(model.page >= 0 && model.page < model.pager.pageCount)
            #expect(model.input.count <= KioskInput.maximumLength)
            let rows = ScreenRenderer.render(model, style: TerminalStyle(colour: true, attributes: true, unicode: true))
            #expect(rows.count == model.size.rows)
            #expect(rows.allSatisfy { $0.text.count <= model.size.columns })
        }
    }
}
