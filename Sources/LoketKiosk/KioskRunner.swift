// Runs the kiosk: wires the terminal, signals, a timer, the HTTP client and the printer to the
// pure ``KioskModel`` and paints its screen. Everything that touches state happens on one serial
// dispatch queue; network answers, printer results and signals are posted to it as events.
//
// While it runs, standard error points to /dev/null (or a log file), so no library message can
// scribble over the screen. On quit, SIGTERM or SIGHUP the terminal is put back as it was:
// attributes reset, cursor shown, alternate screen left, termios restored.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal kiosk's event loop.
///
/// All mutable state is confined to `queue`; that is why it may be `@unchecked Sendable`.
public final class KioskRunner: @unchecked Sendable {
    private let queue = DispatchQueue(label: "loket.kiosk")
    private let printQueue = DispatchQueue(label: "loket.kiosk.printer")
    private var model: KioskModel
    private var decoder = KeyDecoder()
    private let terminal: Terminal
    private let painter: FramePainter
    private let style: TerminalStyle
    private let client: KioskClient
    private let printer: ReceiptPrinter?
    /// Seconds after which a print that has not finished counts as failed.
    private let printTimeout: Double
    private var lastFrame = ""
    private var sources: [any DispatchSourceProtocol] = []
    private var printsPending: Set<String> = []
    private var savedStderr: Int32 = -1
    private var logPath: String?
    private var pendingEscapeSince: Double?

    /// A runner for `settings`; `printer` nil means tickets show on screen only.
    public init(settings: KioskSettings, terminal: Terminal, client: KioskClient, printer: ReceiptPrinter?,
                style: TerminalStyle, logPath: String? = nil, printTimeout: Double = 5) {
        var settings = settings
        settings.hasPrinter = printer != nil
        self.model = KioskModel(settings: settings, size: terminal.size() ?? .vt100, now: KioskRunner.uptime())
        self.terminal = terminal
        self.client = client
        self.printer = printer
        self.style = style
        self.painter = FramePainter(style: style)
        self.logPath = logPath
        self.printTimeout = printTimeout
    }

    /// Takes over the terminal and runs until the kiosk quits; never returns.
    ///
    /// - Throws: ``TerminalError`` when raw mode cannot be set (nothing has changed then).
    public func run() throws -> Never {
        try terminal.enterRawMode()
        silenceStandardError()
        terminal.write(FramePainter.enter)
        installSources()
        queue.async { [self] in
            send(.resized(terminal.size() ?? .vt100))
        }
        dispatchMain()
    }

    // MARK: wiring

    private func installSources() {
        let input = DispatchSource.makeReadSource(fileDescriptor: terminal.input, queue: queue)
        input.setEventHandler { [self] in
            let bytes = terminal.read()
            guard !bytes.isEmpty else {
                // The terminal went away (end of input, hang-up): nobody can use the kiosk any more.
                shutdown(0)
            }
            for key in decoder.feed(bytes) { deliver(key) }
            pendingEscapeSince = decoder.hasPending ? KioskRunner.uptime() : nil
        }
        input.resume()
        sources.append(input)

        signal(SIGPIPE, SIG_IGN)
        for (number, event) in [(SIGWINCH, nil), (SIGTERM, KioskEvent.terminate), (SIGHUP, .terminate),
                                (SIGINT, .interruptSignal), (SIGQUIT, .terminate)] as [(Int32, KioskEvent?)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                if let event {
                    send(event)
                } else {
                    terminal.write("\u{1B}[2J")
                    lastFrame = ""
                    send(.resized(terminal.size() ?? .vt100))
                }
            }
            source.resume()
            sources.append(source)
        }

        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [self] in
            if let since = pendingEscapeSince, KioskRunner.uptime() - since > 0.1 {
                pendingEscapeSince = nil
                for key in decoder.flush() { deliver(key) }
            }
            send(.tick)
        }
        timer.resume()
        sources.append(timer)
    }

    private func deliver(_ key: Key) {
        if key == .redraw {
            terminal.write("\u{1B}[2J")
            lastFrame = ""
        }
        send(.key(key))
    }

    /// Feeds one event to the model, carries out its effects and repaints. Only on `queue`.
    private func send(_ event: KioskEvent) {
        note(event)
        let effects = model.handle(event, now: KioskRunner.uptime())
        for effect in effects { perform(effect) }
        draw()
    }

    private func perform(_ effect: KioskEffect) {
        switch effect {
        case let .loadCatalogue(language):
            client.loadCatalogue(location: model.settings.location, language: language) { [self] result in
                queue.async { self.send(.catalogue(result, language)) }
            }
        case let .requestTicket(request):
            client.requestTicket(request, location: model.settings.location, language: model.language) { [self] result in
                queue.async { self.send(.ticket(result, request)) }
            }
        case let .print(receipt, ticketID):
            guard let printer else {
                send(.printed(ticketID: ticketID, ok: false))
                return
            }
            let bytes = ESCPOSEncoder().encode(receipt)
            printsPending.insert(ticketID)
            printQueue.async { [self] in
                let ok = printer.write(bytes)
                queue.async { self.printFinished(ticketID, ok: ok) }
            }
            queue.asyncAfter(deadline: .now() + printTimeout) { [self] in
                // A printer that blocks (offline, out of paper) must not freeze the kiosk.
                printFinished(ticketID, ok: false)
            }
        case .quit:
            shutdown(0)
        }
    }

    private func printFinished(_ ticketID: String, ok: Bool) {
        guard printsPending.remove(ticketID) != nil else { return }
        send(.printed(ticketID: ticketID, ok: ok))
    }

    /// One diagnostic line on standard error (the log file, or nowhere): failures only, never tokens.
    private func note(_ event: KioskEvent) {
        func describe(_ request: TicketRequest) -> String {
            switch request {
            case let .walkIn(service): return "walk-in ticket for \(service)"
            case .checkIn: return "check-in"   // the reference stays out of logs
            }
        }
        let line: String
        switch event {
        case let .catalogue(.outage, lang): line = "catalogue (\(lang.rawValue)): no answer from \(client.server)"
        case let .catalogue(.problem(p), lang): line = "catalogue (\(lang.rawValue)): \(p.status) \(p.code) \(p.detail)"
        case let .ticket(.outage, request): line = "\(describe(request)): no answer from \(client.server)"
        case let .ticket(.problem(p), request): line = "\(describe(request)): \(p.status) \(p.code) \(p.detail)"
        case let .ticket(.success(t), request): line = "\(describe(request)): issued \(t.number)"
        case let .printed(id, false): line = "printer \(printer?.path ?? "-"): ticket \(id) not printed"
        default: return
        }
        let stamp = ISO8601DateFormatter().string(from: Date())
        _ = POSIX.writeAll(2, Array("\(stamp) loket kiosk: \(PlainText.printable(line))\n".utf8))
    }

    private func draw() {
        let frame = painter.paint(ScreenRenderer.render(model, style: style), size: model.size)
        guard frame != lastFrame else { return }
        lastFrame = frame
        terminal.write(frame)
    }

    // MARK: leaving

    /// Puts the terminal back and exits.
    private func shutdown(_ code: Int32) -> Never {
        for source in sources { source.cancel() }
        terminal.write(FramePainter.leave)
        terminal.restore()
        restoreStandardError()
        exit(code)
    }

    private func silenceStandardError() {
        let target = logPath.map { open($0, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) } ?? open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard target >= 0 else { return }
        savedStderr = dup(2)
        dup2(target, 2)
        close(target)
    }

    private func restoreStandardError() {
        guard savedStderr >= 0 else { return }
        dup2(savedStderr, 2)
        close(savedStderr)
        savedStderr = -1
    }

    /// Seconds on a clock that never jumps (not wall time).
    static func uptime() -> Double {
        ProcessInfo.processInfo.systemUptime
    }
}
