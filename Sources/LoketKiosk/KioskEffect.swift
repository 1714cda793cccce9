// What the state machine asks the outside world to do; the runner does it and reports back
// with a ``KioskEvent``.
import LoketCore

/// An action for the runner.
public enum KioskEffect: Equatable, Sendable {
    /// Fetch the location and its walk-in services in this language.
    case loadCatalogue(Language)
    /// Ask for a ticket (walk-in or check-in).
    case requestTicket(TicketRequest)
    /// Print this receipt (only ever for a ticket the server issued).
    case print(TicketReceipt, ticketID: String)
    /// Restore the terminal and exit.
    case quit
}
