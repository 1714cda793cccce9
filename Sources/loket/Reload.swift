// `loket reload`: asks a running server to re-read its config, and prints what that did.
import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a running server re-read its config folder (like SIGHUP), and list the booked appointments the new rules no longer fit.",
        discussion: """
            Needs an admin token (loket token add --role admin), from --token-file or LOKET_TOKEN.
            A config with problems is refused: each problem is printed as file:line:column, the server keeps
            the config in force, and the command exits with 2.
            """)

    @Option(help: "The server's address (env LOKET_SERVER).")
    var server: String = ProcessInfo.processInfo.environment["LOKET_SERVER"] ?? "http://127.0.0.1:8080"

    @Option(name: .customLong("token-file"), help: "File holding an admin token (else env LOKET_TOKEN).")
    var tokenFile: String?

    func run() throws {
        var token = ProcessInfo.processInfo.environment["LOKET_TOKEN"] ?? ""
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw ValidationError("cannot read --token-file \(tokenFile)")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !token.isEmpty else { throw ValidationError("give an admin token with --token-file or LOKET_TOKEN") }
        guard let url = URL(string: server.trimmingSuffix("/") + "/api/v1/admin/reload"), url.host != nil else {
            throw ValidationError("--server must be a URL such as http://127.0.0.1:8080")
        }
        var request = URLRequest(url: url, timeoutInterval: 60)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (status, body) = try Self.send(request)
        let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        switch status {
        case 200:
            let orphaned = json["orphaned"] as? [[String: Any]] ?? []
            print("config reloaded: \(json["locations"] ?? 0) locations, \(json["services"] ?? 0) services, \(json["counters"] ?? 0) counters")
            if orphaned.isEmpty {
                print("every booked appointment still fits")
            } else {
                print("\(orphaned.count) booked appointment(s) no longer fit:")
                for o in orphaned {
                    print("  \(o["reference"] ?? "")\t\(o["start"] ?? "")\t\(o["location"] ?? "")\t\(o["service"] ?? "")\t\(o["reason"] ?? "")")
                }
            }
        case 422 where json["code"] as? String == "invalid_config":
            for e in json["errors"] as? [[String: Any]] ?? [] {
                let line = e["line"] as? Int ?? 0, column = e["column"] as? Int ?? 0
                let place = line > 0 ? "\(e["file"] ?? ""):\(line):\(column)" : "\(e["file"] ?? "")"
                FileHandle.standardError.write(Data("\(place): \(e["message"] ?? "")\n".utf8))
            }
            FileHandle.standardError.write(Data("loket: config refused; the server keeps the config in force\n".utf8))
            throw ExitCode(2)
        default:
            let detail = json["detail"] as? String ?? String(decoding: body.prefix(300), as: UTF8.self)
            FileHandle.standardError.write(Data("loket: reload answered \(status): \(detail)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Sends `request` and waits for the answer.
    static func send(_ request: URLRequest) throws -> (Int, Data) {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<(Int, Data), Error> = .failure(URLError(.unknown))
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                result = .failure(error)
            } else {
                result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        do {
            return try result.get()
        } catch {
            FileHandle.standardError.write(Data("loket: cannot reach \(request.url?.absoluteString ?? ""): \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
    }
}
