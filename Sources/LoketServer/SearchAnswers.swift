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
//
// Each answer is also found by the query as the client spelled it (a `raw` key, an alias to the same
// answer), so a repeated search is one lookup and skips the fold (1.4% of a search's CPU).
import LoketCore
import LoketHTTP

/// What one cached search answer is keyed by: everything that shapes it except the config.
struct SearchKey: Hashable, Sendable {
    /// The query as `TextFolding.fold` gives it (the index compares only folded text), or as the
    /// client wrote it when `raw`.
    var query: String
    /// Whether `query` is the client's own spelling: an alias of the folded key's answer, so that a
    /// repeated search finds its answer without folding the query first.
    var raw = false
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

    /// Keeps `answer`, already kept under its folded key, under the client's own spelling `key` too.
    /// The body is shared, so only the key's bytes (and a little for the entry) count towards the limit.
    func alias(_ key: SearchKey, to answer: Response) {
        precondition(key.raw, "an alias is keyed by the raw query")
        keep(answer, bytes: key.query.utf8.count + 64, for: key)
    }

    /// How many answers are kept (for tests).
    var count: Int { state.withLock { $0.answers.count } }
}
