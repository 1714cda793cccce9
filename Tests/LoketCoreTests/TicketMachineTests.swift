// Every (status, action) pair of the ticket state machine, legal or not.
import Testing
@testable import LoketCore

@Suite struct TicketMachineTests {
    /// The legal transitions; every other pair must throw.
    static let legal: [TicketAction: [TicketStatus: TicketStatus]] = [
        .call: [.waiting: .called],
        .recall: [.called: .called],
        .start: [.called: .serving],
        .finish: [.serving: .done, .called: .done],
        .noShow: [.called: .noShow],
        .transfer: [.waiting: .waiting, .called: .waiting, .serving: .waiting],
        .cancel: [.waiting: .cancelled],
        .close: [.waiting: .closed, .called: .closed],
    ]

    @Test(arguments: TicketStatus.allCases, TicketAction.allCases)
    func transition(status: TicketStatus, action: TicketAction) throws {
        if let expected = Self.legal[action]?[status] {
            #expect(try TicketMachine.next(status, action) == expected)
        } else {
            #expect {
                try TicketMachine.next(status, action)
            } throws: { error in
                guard let e = error as? LoketError else { return false }
                return e.code == .illegalTransition && e.detail.contains("from \(status.rawValue)")
            }
        }
    }

    @Test func legalTableCount() {
        // 12 legal pairs out of 64; the rest throw.
        #expect(Self.legal.values.map(\.count).reduce(0, +) == 12)
        var legalCount = 0
        for s in TicketStatus.allCases {
            for a in TicketAction.allCases where (try? TicketMachine.next(s, a)) != nil { legalCount += 1 }
        }
        #expect(legalCount == 12)
    }

    @Test func finalStatesAreFinal() {
        for s in [TicketStatus.done, .noShow, .cancelled, .closed, .transferred] {
            for a in TicketAction.allCases { #expect(throws: LoketError.self) { try TicketMachine.next(s, a) } }
        }
    }

    @Test func rawValuesForTheAPI() {
        #expect(TicketStatus.noShow.rawValue == "no-show")
        #expect(TicketAction(rawValue: "no-show") == .noShow)
    }
}
