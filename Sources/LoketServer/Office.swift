// Everything the server derives from one reading of the config: the catalogue, the use cases over
// it, the search index and the services' encoded JSON. A config reload builds a new `Office` off to
// the side and swaps it in at once, so a request sees either the old config or the new one whole.
import Foundation
import LoketCore

/// One config, ready to serve; immutable once built.
final class Office: Sendable {
    let catalogue: Catalogue
    let queueDesk: QueueDesk
    let bookingDesk: BookingDesk
    let search: ServiceSearchIndex
    /// Each service's JSON object per language, by catalogue index, encoded once (the search answer is their concatenation).
    let serviceJSON: [Language: [[UInt8]]]
    /// Whole search answers already encoded for this config (see SearchAnswers); a reload starts empty.
    let searchAnswers = SearchAnswers()

    init(_ catalogue: Catalogue) {
        self.catalogue = catalogue
        queueDesk = QueueDesk(catalogue: catalogue)
        bookingDesk = BookingDesk(catalogue: catalogue)
        search = ServiceSearchIndex(catalogue: catalogue)
        var json: [Language: [[UInt8]]] = [:]
        for lang in Language.allCases {
            json[lang] = catalogue.services.map { (try? Array(JSONOut.encoder.encode(App.serviceDTO($0, lang, catalogue)))) ?? Array("{}".utf8) }
        }
        serviceJSON = json
    }
}
