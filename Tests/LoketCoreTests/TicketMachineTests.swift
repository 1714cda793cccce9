// Every (status, action) pair of the ticket state machine, legal or not.
import Testing
@testable import LoketCore

@Suite struct TicketMachineTests {
    /// The legal transitions; every other pair must throw.
    static let legal: [TicketAction: [TicketStatus: TicketStatus]] = [
        .call: [.waiting: .called, .parked: .called],
        .recall: [.called: .called],
        .start: [.called: .serving],
        .finish: [.serving: .done, .called: .done],
        .noShow: [.called: .noShow],
        .transfer: [.waiting: .waiting, .called: .waiting, .serving: .waiting],
        .cancel: [.waiting: .cancelled],
        .close: [.waiting: .closed, .called: .closed, .serving: .closed, .parked: .closed],
        .park: [.called: .parked, .serving: .parked],
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

    /// Every status a ticket can have is reached from `waiting` by some path of the machine, and
    /// from every one of them a final status can still be reached: no status is dead code and no
    /// ticket can get stuck.
    @Test func everyStatusReachableAndNoneStuck() {
        func successors(_ s: TicketStatus) -> Set<TicketStatus> {
            Set(TicketAction.allCases.compactMap { try? TicketMachine.next(s, $0) })
        }
        var reached: Set<TicketStatus> = [.waiting]
        var frontier: [TicketStatus] = [.waiting]
        while let s = frontier.popLast() {
            for n in successors(s) where reached.insert(n).inserted { frontier.append(n) }
        }
        #expect(reached == Set(TicketStatus.allCases))
        let final: Set<TicketStatus> = [.done, .noShow, .cancelled, .closed]
        for s in reached {
            var seen: Set<TicketStatus> = [s]
            var todo = [s]
            while let x = todo.popLast() {
                for n in successors(x) where seen.insert(n).inserted { todo.append(n) }
            }
            #expect(!seen.isDisjoint(with: final), "\(s) can never end")
        }
    }

    @Test func finalStatesAreFinal() {
        for s in [TicketStatus.done, .noShow, .cancelled, .closed] {
            for a in TicketAction.allCases { #expect(throws: LoketError.self) { try TicketMachine.next(s, a) } }
        }
    }

    @Test func rawValuesForTheAPI() {
        #expect(TicketStatus.noShow.rawValue == "no-show")
        #expect(TicketAction(rawValue: "no-show") == .noShow)
    }
}
