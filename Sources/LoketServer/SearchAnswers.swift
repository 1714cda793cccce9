// The services search's answers, encoded once per (folded query, language, channel, category).
//
// An answer without a location filter depends only on the config and those four values, so the
// first answer is kept, marked `kept()` so the server also keeps its libmicrohttpd form, and
// handed out again. The cache belongs to one `Office`: a
// reload builds a new `Office` with an empty cache, so nothing from the old config is ever served.
// Answers with a location filter carry `walkInOpenNow`, which depends on the time and on runtime
// closures; they are never cached.
//
// Any client can ask for any query, so the cache is bounded by its bytes: once it holds more than
// `byteLimit`, it is emptied and starts again (popular queries come back within a few requests).
import LoketCore
import LoketHTTP

/// What one cached search answer is keyed by: everything that shapes it except the config.
struct SearchKey: Hashable, Sendable {
    /// The query as `TextFolding.fold` gives it (the index compares only folded text).
    var query: String
    var language: Language
    var channel: Channel?
    var category: String?
}

/// Encoded search answers of one config.
final class SearchAnswers: Sendable {
    /// The most answer bytes kept before the cache is emptied.
    let byteLimit: Int
    private let state = LockedBox<(answers: [SearchKey: Response], bytes: Int)>(([:], 0))

    init(byteLimit: Int = 4 << 20) {
        self.byteLimit = byteLimit
    }

    /// The kept answer for `key`, if any.
    subscript(key: SearchKey) -> Response? {
        state.withLock { $0.answers[key] }
    }

    /// Keeps `answer` (whose body is `bytes` long) for `key`; empties the cache first when it would grow past `byteLimit`.
    func keep(_ answer: Response, bytes: Int, for key: SearchKey) {
        guard bytes <= byteLimit else { return }
        state.withLock { state in
            guard state.answers[key] == nil else { return }
            if state.bytes + bytes > byteLimit { state = ([:], 0) }
            state.answers[key] = answer
            state.bytes += bytes
        }
    }

    /// How many answers are kept (for tests).
    var count: Int { state.withLock { $0.answers.count } }
}
