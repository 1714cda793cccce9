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

    /// What `missing` adds to an answer that sets none of the security headers itself.
    static let dataDefaults = defaults(policy: dataPolicy)
    static let pageDefaults = defaults(policy: pagePolicy)
    static let notModifiedDefaults = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
    private static func defaults(policy: String) -> [(String, String)] {
        notModifiedDefaults + [("Content-Security-Policy", policy), ("X-Frame-Options", "DENY")]
    }

    /// The headers to add to an answer with `headers`, leaving any the handler set itself.
    ///
    /// `Referrer-Policy: no-referrer` goes on every answer: ticket, waitlist and manage links carry
    /// their secret in the address, and a page must never hand that address on to another site.
    /// A 304 gets no policy: the browser merges its headers into the page it has cached, so a policy
    /// chosen without the page's content type would replace the page's own (and blank the page).
    static func missing(from headers: [(String, String)], status: Int) -> [(String, String)] {
        // One pass with a byte-wise name compare: Foundation's caseInsensitiveCompare, five times per
        // header, was 14-19% of a search or health answer's CPU in the profile.
        var hasOptions = false, hasReferrer = false, hasPolicy = false, hasFrame = false
        var contentType: String?
        for (name, value) in headers {
            if HeaderName.same(name, "Content-Type") {
                contentType = contentType ?? value
            } else if HeaderName.same(name, "X-Content-Type-Options") {
                hasOptions = true
            } else if HeaderName.same(name, "Referrer-Policy") {
                hasReferrer = true
            } else if HeaderName.same(name, "Content-Security-Policy") {
                hasPolicy = true
            } else if HeaderName.same(name, "X-Frame-Options") {
                hasFrame = true
            }
        }
        let isPage = contentType?.hasPrefix("text/html") ?? false
        // The usual answer sets none of the four: one of three lists made once, not a new array per answer.
        if !hasOptions && !hasReferrer && !hasPolicy && !hasFrame {
            return status == 304 ? notModifiedDefaults : isPage ? pageDefaults : dataDefaults
        }
        var extra: [(String, String)] = []
        if !hasOptions { extra.append(("X-Content-Type-Options", "nosniff")) }
        if !hasReferrer { extra.append(("Referrer-Policy", "no-referrer")) }
        guard status != 304 else { return extra }
        if !hasPolicy { extra.append(("Content-Security-Policy", isPage ? pagePolicy : dataPolicy)) }
        if !hasFrame { extra.append(("X-Frame-Options", "DENY")) }
        return extra
    }
}

/// Header names compared as RFC 9110 says: ASCII, case-insensitive.
enum HeaderName {
    /// Whether `a` and `b` are the same name but for the case of ASCII letters.
    static func same(_ a: String, _ b: String) -> Bool {
        // Most names compared differ in length, which a native string knows without a walk.
        guard a.utf8.count == b.utf8.count else { return false }
        var x = a.utf8.makeIterator(), y = b.utf8.makeIterator()
        while true {
            switch (x.next(), y.next()) {
            case (nil, nil): return true
            case let (p?, q?) where p == q || lower(p) == lower(q): continue
            default: return false
            }
        }
    }

    private static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 0x20 : b }
}
