// The web pages, served from the `kiosk/` folder: each page path maps to one HTML file.
import Foundation
import LoketCore
import LoketHTTP

extension App {
    static func registerPageRoutes(_ table: inout RouteTable<App>) {
        let page = { (file: String) -> Handler<App> in
            { app, request in app.pages.response(for: file, request: request, cacheSeconds: 0) }
        }
        table.add(.GET, "/kiosk/{location}", page("kiosk.html"))
        table.add(.GET, "/display/{location}", page("display.html"))
        table.add(.GET, "/counter", page("counter.html"))
        table.add(.GET, "/admin", page("admin.html"))
        table.add(.GET, "/book", page("book.html"))
        table.add(.GET, "/t/{id}", page("ticket.html"))
        table.add(.GET, "/w/{id}", page("waitlist.html"))
        table.add(.GET, "/static/{path...}") { app, request in
            app.pages.response(for: request.parameter("path"), request: request, cacheSeconds: 300)
        }
        table.add(.GET, "/") { app, request in
            let links = app.catalogue.locations.map { l in
                "<li>\(Self.html(l.name.resolve(.nl))): <a href=\"/kiosk/\(l.id)\">kiosk</a> · <a href=\"/display/\(l.id)\">display</a></li>"
            }.joined()
            let html = """
            <!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>Loket – \(Self.html(app.catalogue.settings.municipality.resolve(.nl)))</title>
            <link rel="icon" href="data:,"><link rel="stylesheet" href="/static/css/base.css"></head><body><main class="container">
            <h1>\(Self.html(app.catalogue.settings.municipality.resolve(.nl)))</h1>
            <ul><li><a href="/book">Afspraak maken / Book an appointment</a></li><li><a href="/counter">Loket (medewerkers)</a></li><li><a href="/admin">Beheer (admin)</a></li>\(links)</ul>
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
