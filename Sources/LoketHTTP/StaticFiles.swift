// Static files from one folder (the web pages in `kiosk/`), with content types and ETags.
//
// Traversal is prevented by resolving the real path (symlinks and `..` included) and checking
// that it still lies inside the real root, not by looking for `..` in the request.
import Foundation

/// Serves files below a root folder.
public struct StaticFiles: Sendable {
    /// The folder served, as a real path.
    public let root: String

    /// `root` is resolved to its real path once.
    public init(root: String) {
        self.root = StaticFiles.realPath(root) ?? root
    }

    /// The answer for `relativePath` below the root: the file, 304 when the ETag matches, or a 404 problem.
    public func response(for relativePath: String, request: Request, cacheSeconds: Int = 60) -> Response {
        guard !relativePath.utf8.contains(0), let real = StaticFiles.realPath(root + "/" + relativePath),
              real.hasPrefix(root + "/") else {
            return Problem.notFound(detail: "There is no such file.").response()
        }
        var info = stat()
        guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              let data = FileManager.default.contents(atPath: real) else {
            return Problem.notFound(detail: "There is no such file.").response()
        }
        let etag = "\"\(info.st_size)-\(info.st_mtim.tv_sec)-\(info.st_mtim.tv_nsec / 1_000_000)\""
        let headers: [(String, String)] = [
            ("ETag", etag), ("Cache-Control", "public, max-age=\(cacheSeconds)"),
        ]
        if let match = request.header("If-None-Match"), StaticFiles.matches(match, etag: etag) {
            return Response(status: 304, headers: headers)
        }
        return Response(status: 200, contentType: StaticFiles.contentType(of: real), bytes: Array(data), headers: headers)
    }

    /// Whether an If-None-Match value (a list, `*`, weak tags allowed) names `etag` (RFC 9110 §13.1.2).
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let tag = part.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    /// The content type for a file name's extension.
    public static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "ico": return "image/x-icon"
        case "woff2": return "font/woff2"
        case "txt": return "text/plain; charset=utf-8"
        case "webmanifest": return "application/manifest+json"
        default: return "application/octet-stream"
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
