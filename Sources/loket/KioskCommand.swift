// `loket kiosk`: the terminal kiosk (see LoketKiosk).
import ArgumentParser
import Foundation
import LoketKiosk

struct KioskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kiosk", abstract: "The kiosk on a plain terminal, with an optional receipt printer.")

    @Option(help: "Loket server, e.g. http://127.0.0.1:8080") var server: String
    @Option(help: "Location id, e.g. stadhuis") var location: String

    func run() throws {
        throw ValidationError("the terminal kiosk is not built yet")
    }
}
