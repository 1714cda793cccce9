// The `--smtp` value, checked once at startup so a typo is refused before any mail waits on it.
//
// Accepted: `smtp://[user@]host[:port][/ehlo-name]` (STARTTLS when offered, port 25 unless given)
// and `smtps://…` (TLS from the first byte, port 465 unless given). The user is percent-decoded
// (`an%40gemeente.be` for `an@gemeente.be`); a password in the URL is refused, because a URL is
// echoed in logs, process lists and shell history: it comes from `LOKET_SMTP_PASSWORD` or a file.
// No error repeats the URL, so a password typed there by mistake does not end up in a log.
import Foundation

/// A parsed, valid SMTP server address: where to connect, how, and as whom.
public struct SMTPURL: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is secured.
    public enum Scheme: String, Sendable {
        /// `smtp://`: plain at first, upgraded with STARTTLS.
        case smtp
        /// `smtps://`: TLS from the first byte.
        case smtps
    }

    /// `smtp` or `smtps`.
    public let scheme: Scheme
    /// A host name or an IP address (IPv6 without brackets).
    public let host: String
    /// The TCP port, 25 or 465 unless the URL names one.
    public let port: Int
    /// The percent-decoded user name for AUTH, if the URL names one.
    public let user: String?
    /// The name Loket gives itself in EHLO: the URL's path, or nil for this machine's host name.
    public let ehloName: String?

    /// Parses and checks `string`.
    ///
    /// - Throws: `SMTPURLError`.
    public init(_ string: String) throws(SMTPURLError) {
        guard let separator = string.range(of: "://") else { throw .notAURL }
        let schemeText = string[..<separator.lowerBound].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else {
            // Only the scheme is repeated: it is short and holds no secret.
            throw .unsupportedScheme(String(schemeText.prefix(16)))
        }
        var rest = Substring(string[separator.upperBound...])
        guard !rest.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace || $0.isNewline }) else {
            throw .unexpectedCharacters
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }

        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            guard !userInfo.contains(":") else { throw .passwordInURL }
            guard let decoded = String(userInfo).removingPercentEncoding, !decoded.isEmpty else {
                throw .badUser
            }
            user = decoded
            rest = rest[rest.index(after: at)...]
        }

        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .badHost }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .badHost }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw .badHost
            }
        } else {
            if let colon = rest.firstIndex(of: ":") {
                portText = rest[rest.index(after: colon)...]
                rest = rest[..<colon]
            }
            host = rest
            guard !host.isEmpty else { throw .missingHost }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else {
                throw .badHost
            }
        }

        var port = scheme == .smtp ? 25 : 465
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = Int(portText), (1...65535).contains(number) else {
                throw .badPort
            }
            port = number
        }

        var ehloName: String?
        if !path.isEmpty {
            guard path.count <= 255,
                  path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
                throw .badEHLOName
            }
            ehloName = String(path)
        }

        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.user = user
        self.ehloName = ehloName
    }

    /// The URL without user, as libcurl takes it; the path is the EHLO name.
    var curlURL: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(hostPart):\(port)/\(ehloName ?? Self.localHostName)"
    }

    /// `smtp://user@host:port`, with the user percent-encoded again; never a password.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let userPart = user.map { ($0.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? "?") + "@" } ?? ""
        let ehloPart = ehloName.map { "/\($0)" } ?? ""
        return "\(scheme.rawValue)://\(userPart)\(hostPart):\(port)\(ehloPart)"
    }

    /// This machine's host name if it is a valid EHLO name, else `localhost`.
    private static let localHostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let valid = !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return valid ? name : "localhost"
    }()
}

/// Why an `--smtp` value was refused; the description never repeats the URL.
public enum SMTPURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not of the form `scheme://…`.
    case notAURL
    /// A scheme other than `smtp` or `smtps`.
    case unsupportedScheme(String)
    /// `?`, `#` or white space, which an SMTP URL never holds.
    case unexpectedCharacters
    /// `user:password@`: the password belongs in `LOKET_SMTP_PASSWORD` or `--smtp-password-file`.
    case passwordInURL
    /// An empty user name or one with broken percent-encoding.
    case badUser
    /// No host after `//`.
    case missingHost
    /// A host with characters no host name or IP address has.
    case badHost
    /// A port that is not a number from 1 to 65535.
    case badPort
    /// A path (the EHLO name) that is not a host name.
    case badEHLOName

    public var description: String {
        let problem = switch self {
        case .notAURL: "it is not a URL (expected smtp://host:port or smtps://host:port)"
        case .unsupportedScheme(let scheme): "the scheme \"\(scheme)\" is not smtp or smtps"
        case .unexpectedCharacters: "it holds a ?, # or white space"
        case .passwordInURL:
            "it holds a password; give only the user in the URL and the password in LOKET_SMTP_PASSWORD or --smtp-password-file"
        case .badUser: "the user name before @ is empty or badly percent-encoded"
        case .missingHost: "it names no host"
        case .badHost: "the host is not a host name or an IP address"
        case .badPort: "the port is not a number from 1 to 65535"
        case .badEHLOName: "the path (the name given in EHLO) is not a host name"
        }
        return "invalid SMTP URL: \(problem)"
    }
}
