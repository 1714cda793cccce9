// Everything that can happen to the kiosk, fed one at a time to ``KioskModel/handle(_:now:)``.
import LoketCore

/// An input to the kiosk's state machine.
public enum KioskEvent: Equatable, Sendable {
    /// A key (or scanner burst) from the terminal.
    case key(Key)
    /// Time passes; sent a few times a second.
    case tick
    /// The terminal changed size (SIGWINCH).
    case resized(TerminalSize)
    /// The answer to ``KioskEffect/loadCatalogue(_:)`` for that language.
    case catalogue(APIResult<CatalogueSnapshot>, Language)
    /// The answer to a ticket request.
    case ticket(APIResult<IssuedTicket>, TicketRequest)
    /// The printer took the ticket's bytes, or failed.
    case printed(ticketID: String, ok: Bool)
    /// SIGINT from outside: treated like Ctrl-C.
    case interruptSignal
    /// SIGTERM or SIGHUP: quit.
    case terminate
}

/// What a ticket request asked for.
public enum TicketRequest: Equatable, Sendable {
    /// A walk-in ticket for this service id.
    case walkIn(service: String)
    /// Check-in with this canonical reference.
    case checkIn(reference: String)
}
