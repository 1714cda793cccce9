// Fuzz targets for Loket's parsers, in one binary; `LOKET_FUZZ_TARGET` says which one runs:
//   body       JSON request bodies: every body type, as its route decodes it (ParseEntry)
//   request    method, path, query, headers and body through the whole app (Router, path parameters,
//              query values, bodies), against a fresh database at a pinned clock
//   reference  booking reference codes (ReferenceCode.normalize)
//   config     the YAML config loader, on a config directory written from the input
//   keys       the terminal kiosk's key decoder, on input split into reads
//
// `scripts/fuzz.sh` builds it with libFuzzer (`-sanitize=fuzzer`, with `-DLOKET_FUZZ`) and runs each
// target from `Fuzz/corpus/<target>/`. Without LOKET_FUZZ (the normal build) the same file is a replay
// tool, so a crash input can be tried in a debug build:  .build/debug/loket-fuzz body crash-1234
//
// Each target traps (a crash for libFuzzer) when an invariant breaks, not only when the code crashes:
// a refused body or request must be a 4xx problem with a code (or 503), never an error the server
// would answer 500.
import Foundation
import LoketConfig
import LoketCore
import LoketHTTP
import LoketKiosk
import LoketServer
import LoketStore
import Logging

/// The fuzz targets by name.
let targets: [String: @Sendable ([UInt8]) -> Void] = [
    "body": fuzzBody,
    "request": fuzzRequest,
    "reference": fuzzReference,
    "config": fuzzConfig,
    "keys": fuzzKeys,
]

/// Stops the run with `message` when `condition` is false (a crash libFuzzer records with its input).
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        FileHandle.standardError.write(Data("loket-fuzz: \(message())\n".utf8))
        abort()
    }
}

/// The repository, found from this file (Fuzz/Sources/loket-fuzz/LoketFuzz.swift); `LOKET_FUZZ_ROOT` overrides it.
let repoRoot: String = ProcessInfo.processInfo.environment["LOKET_FUZZ_ROOT"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

// MARK: body

func fuzzBody(_ data: [UInt8]) {
    for (route, problem) in ParseEntry.decodeBodies(data) {
        guard let problem else { continue }
        check([400, 415, 422].contains(problem.status) && !problem.code.isEmpty,
              "\(route): refused with \(problem.status) \(problem.code) (\(problem.detail))")
    }
}

// MARK: request

/// One app on a fresh database, made at the first request and kept for the run.
final class RequestRig: @unchecked Sendable {
    let app: App
    /// Bearer tokens by role name, put in for `{kiosk}`, `{clerk}` and `{admin}` in the input's headers.
    let tokens: [String: String]

    init() {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loket-fuzz-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "loket.fuzz")
        logger.logLevel = .critical
        let catalogue = try! ConfigLoader.load(directory: repoRoot + "/config")
        let store = try! Store(path: directory.appendingPathComponent("loket.sqlite").path, logger: logger)
        // Tuesday 1 December 2026, 09:00 in Brussels: every office of the demo config is open.
        let clock = ManualClock(Date(timeIntervalSince1970: 1_796_112_000))
        app = App(catalogue: catalogue, store: store, hub: EventHub(), clock: clock,
                  options: AppOptions(pagesDirectory: repoRoot + "/kiosk", rateLimits: false, version: "fuzz",
                                      publicURL: "https://loket.test"), logger: logger)
        var tokens: [String: String] = [:]
        for role in Role.allCases {
            let token = Secret.random()
            try! store.write { try $0.insertToken(hash: Secret.hash(token), role: role, name: "fuzz-\(role)", now: Date()) }
            tokens[role.rawValue] = token
        }
        self.tokens = tokens
    }
}

nonisolated(unsafe) var requestRig: RequestRig?

/// Reads `METHOD /path?query`, header lines, an empty line and the body; libmicrohttpd's part
/// (percent-decoding, splitting the query, first value wins) is done here the same way.
func parseRequest(_ data: [UInt8], tokens: [String: String]) -> Request? {
    let text = String(decoding: data, as: UTF8.self)
    let (head, body): (Substring, Substring) = {
        guard let r = text.range(of: "\n\n") else { return (text[...], "") }
        return (text[..<r.lowerBound], text[r.upperBound...])
    }()
    var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
    guard !lines.isEmpty else { return nil }
    let first = lines.removeFirst().split(separator: " ", maxSplits: 1)
    guard first.count == 2, let method = HTTPMethod(rawValue: String(first[0])) else { return nil }
    let target = first[1]
    let rawPath = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    let path = String(rawPath).removingPercentEncoding ?? String(rawPath)
    var query: [String: String] = [:]
    if let q = target.firstIndex(of: "?") {
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            let key = decode(kv[0])
            if query[key] == nil { query[key] = kv.count > 1 ? decode(kv[1]) : "" }
        }
    }
    var headers: [String: String] = [:]
    for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        for (role, token) in tokens { value = value.replacingOccurrences(of: "{\(role)}", with: token) }
        let name = line[..<colon].lowercased()
        if headers[name] == nil { headers[name] = value }
    }
    return Request(method: method, path: path.isEmpty ? "/" : path, query: query, headers: headers,
                   body: Array(body.utf8), peerAddress: "127.0.0.1", requestID: "fuzz")
}

func fuzzRequest(_ data: [UInt8]) {
    if requestRig == nil { requestRig = RequestRig() }
    let rig = requestRig!
    guard let request = parseRequest(data, tokens: rig.tokens) else { return }
    do {
        let response = try rig.app.handle(request)
        check(response.status < 500, "\(request.method) \(request.path) answered \(response.status)")
    } catch let error as any ProblemConvertible {
        let problem = error.problem
        check(problem.status < 500 || problem.status == 503, "\(request.method) \(request.path): \(problem.status) \(problem.code)")
        check(!problem.code.isEmpty, "\(request.method) \(request.path): a problem without a code")
    } catch {
        check(false, "\(request.method) \(request.path): \(type(of: error)) would be a 500: \(error)")
    }
}

// MARK: reference

func fuzzReference(_ data: [UInt8]) {
    let input = String(decoding: data, as: UTF8.self)
    guard let code = ReferenceCode.normalize(input) else { return }
    let bytes = Array(code.utf8)
    check(bytes.count == 7 && bytes[3] == UInt8(ascii: "-"), "normalize gave \(code)")
    check(ReferenceCode.normalize(code) == code, "\(code) does not normalize to itself")
    check(ReferenceCode.normalize(code.lowercased()) == code, "\(code) in lower case is not the same code")
}

// MARK: config

/// The files of a config directory, written from the input: sections start with a line
/// `#== name.yaml` (one of ``configFiles``); text before the first such line is `settings.yaml`.
let configFiles = ["settings.yaml", "categories.yaml", "locations.yaml", "services.yaml", "counters.yaml",
                   "services/a.yaml", "services/b.yaml"]

let configDirectory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("loket-fuzz-config-\(getpid())")
    try? FileManager.default.removeItem(at: url)
    try! FileManager.default.createDirectory(at: url.appendingPathComponent("services"), withIntermediateDirectories: true)
    return url
}()

func fuzzConfig(_ data: [UInt8]) {
    var files: [String: [UInt8]] = [:]
    var current = "settings.yaml"
    var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)[...]
    while let line = lines.popFirst() {
        let marker = Array("#== ".utf8)
        if line.starts(with: marker) {
            let name = String(decoding: line.dropFirst(marker.count), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if configFiles.contains(name) {
                current = name
                files[name, default: []] += []
                continue
            }
        }
        files[current, default: []] += Array(line) + [UInt8(ascii: "\n")]
    }
    for name in configFiles {
        let url = configDirectory.appendingPathComponent(name)
        if let bytes = files[name] {
            try! Data(bytes).write(to: url)
        } else {
            try? FileManager.default.removeItem(at: url)
        }
    }
    do {
        _ = try ConfigLoader.load(directory: configDirectory.path)
    } catch let error as ConfigError {
        check(!error.issues.isEmpty, "a ConfigError without issues")
    } catch {
        check(false, "the loader threw \(type(of: error)) instead of a ConfigError: \(error)")
    }
}

// MARK: keys

/// The first byte is the size of each read (1 to 16 bytes); the rest is what the terminal sends.
func fuzzKeys(_ data: [UInt8]) {
    guard let first = data.first else { return }
    let size = Int(first % 16) + 1
    let input = Array(data.dropFirst())
    var decoder = KeyDecoder()
    var keys: [Key] = []
    var start = 0
    while start < input.count {
        keys += decoder.feed(Array(input[start..<min(start + size, input.count)]))
        start += size
    }
    keys += decoder.flush()
    check(!decoder.hasPending, "bytes still pending after flush")
    check(keys.count <= input.count, "\(keys.count) keys from \(input.count) bytes")
    // Without bursts, every key but Escape stands for at least one byte of its own.
    var plain = KeyDecoder(burstLength: Int.max)
    let unmerged = plain.feed(input) + plain.flush()
    check(unmerged.allSatisfy { if case .text = $0 { false } else { true } }, "a burst with bursts turned off")
}

// MARK: entry points

/// The target `LOKET_FUZZ_TARGET` names.
let selected: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["LOKET_FUZZ_TARGET"] ?? ""
    guard let target = targets[name] else {
        FileHandle.standardError.write(Data("loket-fuzz: set LOKET_FUZZ_TARGET to one of \(targets.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

#if LOKET_FUZZ
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    selected(bytes)
    return 0
}

/// libFuzzer's driver, called from our own entry point (below).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main` (so tests can link the module); with no
/// `@main` here, this is that entry, and it hands over to libFuzzer.
@_cdecl("loket_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzTestOneInput)
}
#else
/// Replays inputs without libFuzzer: `loket-fuzz <target> <file>...`.
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = targets[name], arguments.count > 1 else {
            print("usage: loket-fuzz \(targets.keys.sorted().joined(separator: "|")) <input file>...")
            exit(2)
        }
        for file in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("cannot read \(file)")
                exit(1)
            }
            target(Array(data))
            print("\(file): ok")
        }
    }
}
#endif
