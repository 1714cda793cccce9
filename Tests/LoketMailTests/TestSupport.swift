// Small helpers shared by the LoketMail tests.
import Foundation
@testable import LoketMail

/// The text of either kind of delivery error.
func errorDetail(_ error: MailDeliveryError) -> String {
    switch error {
    case .temporary(let detail), .permanent(let detail): detail
    }
}

extension MailDeliveryError {
    /// Whether trying again may help.
    var isTemporary: Bool {
        if case .temporary = self { true } else { false }
    }
}

/// Errors gathered from several threads.
final class Failures: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var errors: [any Error] = []

    func add(_ error: any Error) { lock.withLock { errors.append(error) } }
    var all: [any Error] { lock.withLock { errors } }
}
