// The headers every answer carries so that a browser treats it safely: no sniffing, no referrer,
// and a Content-Security-Policy that forbids inline script and style and any framing.
//
// Pages load their scripts, styles and images from this server only (`/static/...`, `/api/v1/qr.svg`)
// and talk to it alone (fetch and EventSource), so `'self'` is all they need. Every other answer is
// data (JSON, SVG, CSV, calendar files) and gets a policy that allows nothing at all.
enum SecurityHeaders {
    /// For HTML pages. `data:` images are only the empty favicon (`<link rel="icon" href="data:,">`).
    static let pagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    /// For everything that is not a page.
    static let dataPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox"

    /// The headers to add to an answer with `headers`, leaving any the handler set itself.
    ///
    /// `Referrer-Policy: no-referrer` goes on every answer: ticket, waitlist and manage links carry
    /// their secret in the address, and a page must never hand that address on to another site.
    /// A 304 gets no policy: the browser merges its headers into the page it has cached, so a policy
    /// chosen without the page's content type would replace the page's own (and blank the page).
    static func missing(from headers: [(String, String)], status: Int) -> [(String, String)] {
        func has(_ name: String) -> Bool { headers.contains { $0.0.caseInsensitiveCompare(name) == .orderedSame } }
        let isPage = headers.first { $0.0.caseInsensitiveCompare("Content-Type") == .orderedSame }?.1.hasPrefix("text/html") ?? false
        var extra: [(String, String)] = []
        if !has("X-Content-Type-Options") { extra.append(("X-Content-Type-Options", "nosniff")) }
        if !has("Referrer-Policy") { extra.append(("Referrer-Policy", "no-referrer")) }
        guard status != 304 else { return extra }
        if !has("Content-Security-Policy") { extra.append(("Content-Security-Policy", isPage ? pagePolicy : dataPolicy)) }
        if !has("X-Frame-Options") { extra.append(("X-Frame-Options", "DENY")) }
        return extra
    }
}
