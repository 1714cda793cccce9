// Admin routes: appointment lists per day, statistics and the audit log.
import Foundation
import LoketCore
import LoketHTTP

extension App {
    func registerAdminRoutes() {
    }
}
