// The web pages, served from the `kiosk/` folder: each page path maps to one HTML file.
import Foundation
import LoketCore
import LoketHTTP

extension App {
    func registerPageRoutes() {
        let page = { [unowned self] (file: String) -> Handler in
            { request in self.pages.response(for: file, request: request, cacheSeconds: 0) }
        }
        router.add(.GET, "/kiosk/{location}", page("kiosk.html"))
        router.add(.GET, "/display/{location}", page("display.html"))
        router.add(.GET, "/counter", page("counter.html"))
        router.add(.GET, "/book", page("book.html"))
        router.add(.GET, "/t/{id}", page("ticket.html"))
        router.add(.GET, "/static/{path...}") { [unowned self] request in
            pages.response(for: request.parameter("path"), request: request, cacheSeconds: 300)
        }
        router.add(.GET, "/") { [unowned self] request in
            let links = catalogue.locations.map { l in
                "<li>\(Self.html(l.name.resolve(.nl))): <a href=\"/kiosk/\(l.id)\">kiosk</a> · <a href=\"/display/\(l.id)\">display</a></li>"
            }.joined()
            let html = """
            <!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>Loket – \(Self.html(catalogue.settings.municipality.resolve(.nl)))</title>
            <link rel="stylesheet" href="/static/css/base.css"></head><body><main class="container">
            <h1>\(Self.html(catalogue.settings.municipality.resolve(.nl)))</h1>
            <ul><li><a href="/book">Afspraak maken / Book an appointment</a></li><li><a href="/counter">Loket (medewerkers)</a></li>\(links)</ul>
            </main></body></html>
            """
            return Response(contentType: "text/html; charset=utf-8", text: html)
        }
    }

    static func html(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
