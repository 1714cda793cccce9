// Shared fixtures: a small catalogue in two categories and a ticket.
import LoketCore
@testable import LoketKiosk

enum TestData {
    static let location = LocationInfo(id: "stadhuis", name: "Stadhuis Wilgendaal")

    /// `n` services: the first half in Burgerzaken, the rest in Sociale dienst, all open.
    static func services(_ n: Int) -> [ServiceEntry] {
        (1...max(1, n)).prefix(n).map { i in
            ServiceEntry(id: "s\(i)", name: "Dienst nummer \(i)", category: i <= n / 2 ? "burgerzaken" : "sociaal",
                         categoryName: i <= n / 2 ? "Burgerzaken" : "Sociale dienst", walkInOpenNow: true)
        }
    }

    /// The categories of ``townHall(_:)``; their keys are B, O, S, F, N (O is taken) and K.
    static let townHallCategories = ["Burgerzaken", "Omgeving", "Sociale dienst", "Financiën", "Onderwijs", "Kinderopvang"]

    /// `n` services spread evenly over ``townHallCategories`` in list order (25 each for 150), all
    /// open, like the town hall's list the issue is about.
    static func townHall(_ n: Int = 150) -> [ServiceEntry] {
        let per = max(1, (n + townHallCategories.count - 1) / townHallCategories.count)
        return (0..<n).map { i in
            let category = townHallCategories[min(i / per, townHallCategories.count - 1)]
            return ServiceEntry(id: "t\(i + 1)", name: "Dienst nummer \(i + 1)", category: category.lowercased(),
                                categoryName: category, walkInOpenNow: true)
        }
    }

    static let ticket = IssuedTicket(id: "tid1", number: "A012", service: "s1", serviceName: "Server name",
                                     location: "stadhuis", origin: "walkin", status: "waiting", position: 2,
                                     estimatedWaitMinutes: 7, issuedAt: "2026-12-01T09:00:03+01:00", statusUrl: "/t/tid1")

    static func settings(printer: Bool = true) -> KioskSettings {
        KioskSettings(server: "http://127.0.0.1:8080", location: "stadhuis", language: .nl, resetSeconds: 15,
                      refreshSeconds: 30, idleSeconds: 60, hasPrinter: printer)
    }

    /// A model that has loaded `services` at time 0 (2026-12-01 is a Tuesday; the times here are seconds of uptime).
    static func onlineModel(services n: Int = 5, printer: Bool = true, size: TerminalSize = .vt100) -> KioskModel {
        onlineModel(list: services(n), printer: printer, size: size)
    }

    /// A model that has loaded exactly `list` at time 0.
    static func onlineModel(list: [ServiceEntry], printer: Bool = true, size: TerminalSize = .vt100) -> KioskModel {
        var model = KioskModel(settings: settings(printer: printer), size: size, now: 0)
        let first = model.handle(.tick, now: 0)
        precondition(first == [.loadCatalogue(.nl)])
        _ = model.handle(.catalogue(.success(CatalogueSnapshot(location: location, services: list)), .nl), now: 0)
        return model
    }
}
