// The services search's kept answers: an answer is found by the client's own spelling too (an
// alias of its folded key), and aliases count towards the cache's byte bound.
import LoketCore
import LoketHTTP
import Testing
@testable import LoketServer

@Suite("Search answers")
struct SearchAnswersTests {
    @Test func anAliasAnswersWhatItsFoldedKeyAnswers() {
        let answers = SearchAnswers(byteLimit: 1 << 20)
        let folded = SearchKey(query: "paspoort", language: .nl)
        let raw = SearchKey(query: " PASPOORT", raw: true, language: .nl)
        let answer = Response(contentType: "application/json", text: "[1]").kept()
        answers.keep(answer, bytes: 3, for: folded)
        #expect(answers[raw] == nil, "the raw spelling is not the folded key")
        answers.alias(raw, to: answer)
        #expect(answers[raw]?.prepared === answer.prepared)
        #expect(answers[SearchKey(query: " PASPOORT", language: .nl)] == nil, "a raw key never meets a folded one")
        #expect(answers[SearchKey(query: " PASPOORT", raw: true, language: .fr)] == nil)
    }

    @Test func aliasesCountTowardsTheBound() {
        let answers = SearchAnswers(byteLimit: 2_000)
        let answer = Response(contentType: "application/json", text: "[]").kept()
        for n in 0..<1_000 {
            answers.alias(SearchKey(query: "spelling \(n)", raw: true, language: .nl), to: answer)
            #expect(answers.count <= 2_000 / 64)
        }
    }
}
