// Secrets (manage tokens, bearer tokens, ticket ids) are long, URL-safe and do not repeat.
import Foundation
import LoketServer
import Testing
import LoketTestKit

@Suite("Secrets")
struct SecretTests {
    @Test(arguments: [(12, 16), (24, 32), (1, 2), (2, 3)])
    func lengthAndAlphabet(bytes: Int, characters: Int) {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in 0..<200 {
            let s = App.randomSecret(bytes: bytes)
            #expect(s.count == characters)
            #expect(s.allSatisfy(allowed.contains))
        }
    }

    @Test func matchesFoundationBase64URL() {
        // The hand-written encoder must agree with Foundation's, character for character.
        for _ in 0..<200 {
            let s = App.randomSecret(bytes: 24)
            let base64 = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            let data = Data(base64Encoded: base64)
            #expect(data?.count == 24)
            #expect(data?.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") == s)
        }
    }

    @Test func doesNotRepeat() {
        let many = (0..<5000).map { _ in App.randomSecret(bytes: 12) }
        #expect(Set(many).count == many.count)
    }
}
