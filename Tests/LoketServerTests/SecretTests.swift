// Secrets (manage tokens, bearer tokens, ticket ids) are long, URL-safe and do not repeat.
import Foundation
import LoketCore
import LoketServer
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
                let s = Secret.base64url(bytes)
                var base64 = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
                #expect(Data(base64Encoded: base64).map(Array.init) == bytes, "seed \(seed), length \(length)")
            }
        }
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

    /// Mail servers echo recipients in their answers; what is stored and logged has none.
    @Test func addressesAreTakenOutOfServerAnswers() {
        #expect(Mailer.withoutAddresses("550 5.1.1 <jan.peeters@example.be>: Recipient address rejected")
                == "550 5.1.1 <<address>>: Recipient address rejected")
        #expect(Mailer.withoutAddresses("451 try later") == "451 try later")
    }
}
