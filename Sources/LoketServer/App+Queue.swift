// Queue routes: kiosk tickets, check-in, counters, clerk actions, displays and live events.
import Foundation
import LoketCore
import LoketHTTP

extension App {
    func registerQueueRoutes() {
    }
}
