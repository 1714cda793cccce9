// The store's event rows are the live events on the wire: published after each commit and
// replayed to reconnecting streams as they are, with no conversion.
import LoketHTTP
import LoketStore

extension StoredEvent: ServerSentEvent {}
