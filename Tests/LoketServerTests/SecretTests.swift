// Secrets (manage tokens, bearer tokens, ticket ids) are long, URL-safe and do not repeat.
import Foundation
import LoketCore
import LoketHTTP
@testable import LoketServer
import Testing
import LoketTestKit

@Suite("Secrets")
struct SecretTests {
    @Test(arguments: [(12, 16), (24, 32), (1, 2), (2, 3)])
    func lengthAndAlphabet(bytes: Int, characters: Int) {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in 0..<200 {
            let s = Secret.random(bytes: bytes)
            #expect(s.count == characters)
            #expect(s.allSatisfy(allowed.contains))
        }
    }

    @Test func matchesFoundationBase64URL() {
        // The hand-written encoder must agree with Foundation's, character for character.
        for _ in 0..<200 {
            let s = Secret.random(bytes: 24)
            let base64 = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            let data = Data(base64Encoded: base64)
            #expect(data?.count == 24)
            #expect(data?.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") == s)
        }
    }

    /// The encoder keeps every bit of the random bytes: for byte strings of every length (a seeded
    /// generator, its seed printed), the secret decodes back to exactly those bytes, so distinct
    /// bytes never give the same secret.
    @Test func encodingLosesNothing() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("SecretTests.encodingLosesNothing seed \(seed)")
        var g = SplitMix64(seed: seed)
        for length in 0...40 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }
                let s = Base64URL.encode(bytes)
                var base64 = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
                #expect(Data(base64Encoded: base64).map(Array.init) == bytes, "seed \(seed), length \(length)")
            }
        }
    }

    /// A ticket id is its issuing millisecond (7 characters) and 16 random characters: it keeps the
    /// random part's 96 bits, and ids of later milliseconds sort after earlier ones byte by byte (as
    /// SQLite's BINARY collation compares them), for random pairs of instants from 1970 to 2100.
    @Test func ticketIDsSortByTheirTime() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let seed = UInt64.random(in: 0...UInt64.max)
        print("SecretTests.ticketIDsSortByTheirTime seed \(seed)")
        var g = SplitMix64(seed: seed)
        for _ in 0..<2000 {
            let a = Date(timeIntervalSince1970: Double(UInt64.random(in: 0...4_102_444_800_000, using: &g)) / 1000)
            let b = Date(timeIntervalSince1970: Double(UInt64.random(in: 0...4_102_444_800_000, using: &g)) / 1000)
            let x = Secret.ticketID(now: a), y = Secret.ticketID(now: b)
            #expect(x.utf8.count == 23 && x.utf8.allSatisfy(allowed.contains), "seed \(seed)")
            let (ma, mb) = ((a.timeIntervalSince1970 * 1000).rounded(.down), (b.timeIntervalSince1970 * 1000).rounded(.down))
            if ma != mb {
                #expect((ma < mb) == x.utf8.lexicographicallyPrecedes(y.utf8), "seed \(seed): \(a) \(x), \(b) \(y)")
            } else {
                #expect(x.prefix(7) == y.prefix(7), "seed \(seed)")
            }
        }
        // Fixed points: the epoch, and one millisecond before and after a carry into the next character.
        #expect(Secret.ticketIDPrefix(Date(timeIntervalSince1970: 0)) == "-------")
        #expect(Secret.ticketIDPrefix(Date(timeIntervalSince1970: 0.0635)) == "------z")
        #expect(Secret.ticketIDPrefix(Date(timeIntervalSince1970: 0.0645)) == "-----0-")
        // The same millisecond: the random part tells them apart.
        let now = Date(timeIntervalSince1970: 1_796_108_400)
        #expect(Set((0..<500).map { _ in Secret.ticketID(now: now) }).count == 500)
    }

    /// A secret is made from the generator's bytes and nothing else.
    @Test func madeFromTheGeneratorsBytes() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42), c = SplitMix64(seed: 43)
        let first = Secret.random(bytes: 24, using: &a)
        #expect(first == Secret.random(bytes: 24, using: &b))
        #expect(first != Secret.random(bytes: 24, using: &c))
    }

    /// The manage-token key lives in a file of its own (mode 0600), made once and then reused; a file
    /// that does not hold a key is refused rather than replaced (the links in sent mail depend on it).
    @Test func theKeyFileIsMadeOnceAndKeptPrivate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("loket.sqlite.key").path
        let first = try Secret.key(at: path)
        #expect(first.count == 32)
        #expect(try Secret.key(at: path) == first)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(Secret.manageToken(reference: "K7M-3QX", key: first) == Secret.manageToken(reference: "K7M-3QX", key: first))
        #expect(Secret.manageToken(reference: "K7M-3QX", key: first) != Secret.manageToken(reference: "K7M-3QY", key: first))
        FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
        #expect(throws: Secret.KeyFileError.self) { try Secret.key(at: path) }
    }

    /// Manage tokens come from an HMAC whose key blocks are hashed once and kept (`preparedHMAC`).
    /// They must stay exactly the HMAC-SHA256 tokens made before (vectors from Python's `hmac`),
    /// also when the key changes between tokens and when threads make them at once.
    @Test func manageTokensFromTheKeptKeyAreTheHMACOfTheReference() {
        let keys: [[UInt8]] = [Array(0...31), [UInt8](repeating: 0xAA, count: 32), Array((0...31).reversed())]
        let expected: [(key: Int, reference: String, token: String)] = [
            (0, "K7M-3QX", "U3BrDeXQ37x3Nr4HT9-1LyU2wvvDah5o"), (1, "K7M-3QX", "LQD08bfwbF3inWvBukPEGiXwsll5sjaN"),
            (2, "K7M-3QX", "0tlHVi73X-c2M6j76XAGaG6l9_vfv2_p"), (0, "K7M-3QY", "aJzpJ1135fjUReF1X40r2z5Vv3KUu37L"),
            (0, "waitlist:abcdefghijklmnop", "mT_y4BzULYsY2L8VpBSZBwqeewZc2BXi"), (1, "K7M-3QY", "IWat1wSD6lKIyl2p5sHPYRV61XrEDGGJ"),
            (1, "waitlist:abcdefghijklmnop", "buRwneOBlmCd1m2nuzrkInILiqU35txH"), (2, "", "fR8oMZJ58X2ohBwV-i22ltW4bJe1bPra"),
            (0, "", "04tCCW2A9F-Ca0Sp1WB95ySWpBXT9KGo"), (2, "K7M-3QY", "QOjwmI1UMltvWbkH68IbG4-0dleJIhXh"),
            (2, "waitlist:abcdefghijklmnop", "HS-q8pTHIu1gtEat50F7bj3rQE1xOzeb"), (1, "", "YyEK7iZXYmNPo9uMGqkg3NB9MewpcwlY"),
        ]
        for _ in 0..<2 {
            for e in expected { #expect(Secret.manageToken(reference: e.reference, key: keys[e.key]) == e.token) }
        }
        let wrong = LockedBox(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<500 {
                let e = expected[(i + thread) % expected.count]
                if Secret.manageToken(reference: e.reference, key: keys[e.key]) != e.token { wrong.withLock { $0 += 1 } }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
    }

    /// Mail servers echo recipients in their answers; what is stored and logged has none.
    @Test func addressesAreTakenOutOfServerAnswers() {
        #expect(Mailer.withoutAddresses("550 5.1.1 <jan.peeters@example.be>: Recipient address rejected")
                == "550 5.1.1 <<address>>: Recipient address rejected")
        #expect(Mailer.withoutAddresses("451 try later") == "451 try later")
    }
}
