// Retry delays: 1, 2, 4, 8, 16, then 30 s at most, and back to 1 after a success.
import Testing
@testable import LoketKiosk

@Suite struct BackoffTests {
    @Test func doublesUpToTheCeilingAndResets() {
        var backoff = Backoff()
        #expect((0..<8).map { _ in backoff.next() } == [1, 2, 4, 8, 16, 30, 30, 30])
        backoff.reset()
        #expect(backoff.next() == 1)
    }

    @Test func manyFailuresDoNotOverflow() {
        var backoff = Backoff()
        for _ in 0..<1000 { #expect(backoff.next() <= 30) }
    }
}
