// Delivery to an SMTP server through libcurl's easy interface.
//
// Each delivery has its own easy handle, made and freed in `deliver`, so one transport can be
// used from many threads at once without a lock; libcurl is initialised once per process before
// the first handle. The message goes out from the caller's buffer through a read callback; its
// context (with the transcript and error buffer) is retained until the handle is freed. The
// password is handed to libcurl as an option (never in the URL) and scrubbed from every error.
import CCurl
import Foundation

/// Sends mail to an SMTP server (`smtp://` with STARTTLS, or `smtps://`), one connection per message.
///
/// ```swift
/// let smtp = try SMTPTransport(url: "smtp://loket%40gemeente.be@mail.gemeente.be:587",
///                              password: environment["LOKET_SMTP_PASSWORD"])
/// try smtp.deliver(bytes, messageID: "<…@gemeente.be>", from: "loket@gemeente.be", to: ["an@example.be"])
/// ```
public final class SMTPTransport: MailTransport, CustomStringConvertible {
    /// How the TLS connection is made and checked; the defaults are right outside tests.
    public struct TLSOptions: Sendable {
        /// For `smtp://`: fail (temporarily) when the server does not offer STARTTLS, instead of
        /// sending in the clear. Always on when a password is given.
        public var requireSTARTTLS: Bool
        /// A PEM file of CA certificates to trust, in place of libcurl's default bundle (its CA
        /// folder, `/etc/ssl/certs` on Debian, stays trusted): for a relay with a private CA.
        public var caFile: String?
        /// Accept any certificate and host name.
        ///
        /// > Warning: Only for tests. Anyone between Loket and the server can then read the
        /// > mail and the password.
        public var insecureSkipVerify: Bool

        /// Options with STARTTLS when offered, the system's CAs, and verification on.
        public init(requireSTARTTLS: Bool = false, caFile: String? = nil, insecureSkipVerify: Bool = false) {
            self.requireSTARTTLS = requireSTARTTLS
            self.caFile = caFile
            self.insecureSkipVerify = insecureSkipVerify
        }
    }

    /// Where mail goes and as whom.
    public let url: SMTPURL
    /// The TLS settings this transport was made with.
    public let tls: TLSOptions
    /// The longest one delivery may take, connection included, in seconds.
    public let timeoutSeconds: Int
    /// For AUTH; never printed, never in an error.
    private let password: String?

    /// A transport for `url` (`smtp://[user@]host[:port]` or `smtps://…`); `password` is used for
    /// AUTH with the URL's user. Nothing is sent until `deliver`.
    ///
    /// - Parameter timeoutSeconds: the longest one delivery may take (at least 1).
    /// - Throws: `SMTPURLError` when `url` is not a valid SMTP URL.
    public init(url: String, password: String?, timeoutSeconds: Int = 30, tls: TLSOptions = TLSOptions()) throws(SMTPURLError) {
        self.url = try SMTPURL(url)
        self.password = password
        self.timeoutSeconds = max(1, timeoutSeconds)
        self.tls = tls
    }

    /// `SMTPTransport(smtp://user@host:port)`: the password is never shown.
    public var description: String { "SMTPTransport(\(url))" }

    /// Sends `message` in one SMTP transaction: MAIL FROM `sender`, RCPT TO each recipient, DATA.
    ///
    /// All recipients or none: if the server refuses one, nothing is sent.
    /// - Throws: `MailDeliveryError.permanent` when the server refuses the message or an address
    ///   (a 5xx answer to MAIL, RCPT or DATA) or an address cannot be sent at all;
    ///   `MailDeliveryError.temporary` for everything else (see `SMTPTransport+Failure.swift`).
    public func deliver(_ message: [UInt8], messageID: String, from sender: String, to recipients: [String]) throws {
        guard !recipients.isEmpty else { throw MailDeliveryError.permanent("no recipient for \(messageID)") }
        for address in [sender] + recipients where !Self.isSendable(address) {
            throw MailDeliveryError.permanent("an address of \(messageID) holds a line break, a control character or <>")
        }
        guard Self.curlReady == CURLE_OK else {
            throw MailDeliveryError.temporary("libcurl could not be initialised: \(Self.text(Self.curlReady))")
        }
        // Declared in this order so the deferred frees run handle, recipients, context: libcurl
        // may call back (and write the error buffer) until the handle is freed.
        let context = DeliveryContext(message: message)
        let retained = Unmanaged.passRetained(context)
        defer { retained.release() }
        var recipientList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipientList) }
        for recipient in recipients {
            guard let longer = curl_slist_append(recipientList, "<\(recipient)>") else {
                throw MailDeliveryError.temporary("out of memory for the recipient list")
            }
            recipientList = longer
        }
        guard let handle = curl_easy_init() else {
            throw MailDeliveryError.temporary("libcurl could not make a handle")
        }
        defer { curl_easy_cleanup(handle) }

        let pointer = retained.toOpaque()
        var options: [(CURLoption, CURLcode)] = []
        func set(_ option: CURLoption, _ value: Int) { options.append((option, loket_curl_setopt_long(handle, option, value))) }
        func set(_ option: CURLoption, _ value: String) { options.append((option, loket_curl_setopt_string(handle, option, value))) }
        func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer) {
            options.append((option, loket_curl_setopt_pointer(handle, option, value)))
        }

        set(CURLOPT_URL, url.curlURL)
        set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        set(CURLOPT_NOSIGNAL, 1) // no SIGALRM for DNS timeouts: other threads run beside us
        set(CURLOPT_TIMEOUT, timeoutSeconds)
        set(CURLOPT_FORBID_REUSE, 1) // QUIT and close within curl_easy_perform, none left for cleanup
        let requireTLS = tls.requireSTARTTLS || password != nil || url.scheme == .smtps
        set(CURLOPT_USE_SSL, Int(requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        if let caFile = tls.caFile { set(CURLOPT_CAINFO, caFile) }
        if tls.insecureSkipVerify {
            set(CURLOPT_SSL_VERIFYPEER, 0)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let user = url.user { set(CURLOPT_USERNAME, user) }
        if let password { set(CURLOPT_PASSWORD, password) }
        set(CURLOPT_MAIL_FROM, "<\(sender)>")
        options.append((CURLOPT_MAIL_RCPT, loket_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList)))
        set(CURLOPT_UPLOAD, 1)
        options.append((CURLOPT_INFILESIZE_LARGE, loket_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count))))
        options.append((CURLOPT_READFUNCTION, loket_curl_setopt_read(handle, readMessage)))
        set(CURLOPT_READDATA, pointer: pointer)
        // VERBOSE only feeds the debug callback below (nothing is printed): it is how the
        // server's answers and the commands they answer are seen.
        set(CURLOPT_VERBOSE, 1)
        options.append((CURLOPT_DEBUGFUNCTION, loket_curl_setopt_debug(handle, watchTranscript)))
        set(CURLOPT_DEBUGDATA, pointer: pointer)
        set(CURLOPT_ERRORBUFFER, pointer: context.errorBuffer)
        if let refused = options.first(where: { $0.1 != CURLE_OK }) {
            throw MailDeliveryError.temporary("libcurl refused option \(refused.0.rawValue): \(Self.text(refused.1))")
        }

        let result = curl_easy_perform(handle)
        guard result != CURLE_OK else { return }
        var responseCode = 0
        _ = loket_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        let buffered = String(cString: context.errorBuffer)
        let curlMessage = "\(url.host):\(url.port): " + (buffered.isEmpty ? Self.text(result) : buffered)
        let answer = responseCode == 0 ? nil : context.transcript.answer(withCode: responseCode)
        throw scrubbed(Self.classify(curlMessage: curlMessage, answer: answer))
    }

    /// `error` with the password, if any, replaced in its text.
    private func scrubbed(_ error: MailDeliveryError) -> MailDeliveryError {
        guard let password, !password.isEmpty else { return error }
        switch error {
        case .temporary(let text): return .temporary(text.replacingOccurrences(of: password, with: "********"))
        case .permanent(let text): return .permanent(text.replacingOccurrences(of: password, with: "********"))
        }
    }

    /// An address SMTP can carry between `<` and `>`, with nothing that ends or splits the command.
    private static func isSendable(_ address: String) -> Bool {
        !address.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" }
    }

    private static func text(_ code: CURLcode) -> String { String(cString: curl_easy_strerror(code)) }

    /// `curl_global_init`, run once per process by Swift's lazy global initialisation, before any handle.
    private static let curlReady: CURLcode = loket_curl_global_init()
}

/// The state of one delivery that libcurl's callbacks reach through their user pointer.
///
/// Not `Sendable`: only the thread in `curl_easy_perform` touches it, through the callbacks.
private final class DeliveryContext {
    /// The message, and how much of it libcurl has read.
    let message: [UInt8]
    var offset = 0
    var transcript = SMTPTranscript()
    /// CURLOPT_ERRORBUFFER: libcurl's message for a failure, NUL-terminated.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(message: [UInt8]) {
        self.message = message
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit { errorBuffer.deallocate() }
}

/// CURLOPT_READFUNCTION: copies the next part of the message into libcurl's buffer; 0 at the end.
private let readMessage: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, user in
    guard let buffer, let user else { return 0 }
    let context = Unmanaged<DeliveryContext>.fromOpaque(user).takeUnretainedValue()
    let length = min(size * count, context.message.count - context.offset)
    guard length > 0 else { return 0 }
    context.message.withUnsafeBytes { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + context.offset, byteCount: length)
    }
    context.offset += length
    return length
}

/// CURLOPT_DEBUGFUNCTION: feeds the protocol lines (not the message, not TLS bytes) to the transcript.
private let watchTranscript: loket_curl_debug_callback = { _, kind, data, size, user in
    guard let data, let user else { return 0 }
    let context = Unmanaged<DeliveryContext>.fromOpaque(user).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    switch kind {
    case CURLINFO_HEADER_IN: context.transcript.received(bytes)
    case CURLINFO_HEADER_OUT: context.transcript.sent(bytes)
    default: break
    }
    return 0
}
