// Placeholder so the target builds; the mail tests live beside it.
import Testing
@testable import LoketMail

@Suite struct MailMessageTests {
    @Test func addressKeepsItsName() {
        #expect(MailAddress("an@example.be", name: "An").name == "An")
    }
}
