// MailDirectory: one whole file per message id, always inside its folder.
import Foundation
import Testing
import LoketCore
@testable import LoketMail

@Suite struct MailDirectoryTests {
    /// A fresh folder that does not exist yet (delivery must make it).
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("loket-maildir-\(UUID().uuidString)/var/mail")
    }

    static func files(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    // 2026-12-01T09:00:00Z is a Tuesday.
    static let tuesday = Date(timeIntervalSince1970: 1_796_115_600)

    @Test func aMessageBecomesOneEmlFileNamedByTimeAndID() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent().deletingLastPathComponent()) }
        let mail = MailDirectory(directory: folder, clock: ManualClock(Self.tuesday))
        let bytes = Array("Subject: Hallo\r\n\r\nDag An\r\n".utf8)

        try mail.deliver(bytes, messageID: "<3F2A-91@loket.gemeente.be>", from: "loket@gemeente.be", to: ["an@example.be"])

        #expect(try Self.files(folder) == ["20261201T090000Z-3F2A-91_40loket.gemeente.be.eml"])
        #expect(try Array(Data(contentsOf: folder.appendingPathComponent("20261201T090000Z-3F2A-91_40loket.gemeente.be.eml"))) == bytes)
    }

    @Test func theSameIDTwiceOverwritesTheSameFile() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent().deletingLastPathComponent()) }
        let clock = ManualClock(Self.tuesday)
        let mail = MailDirectory(directory: folder, clock: clock)

        try mail.deliver(Array("first".utf8), messageID: "<a@x>", from: "", to: ["an@example.be"])
        clock.advance(by: 3600)
        try mail.deliver(Array("other".utf8), messageID: "<b@x>", from: "", to: ["an@example.be"])
        try mail.deliver(Array("second, longer".utf8), messageID: "<a@x>", from: "", to: ["an@example.be"])

        #expect(try Self.files(folder) == ["20261201T090000Z-a_40x.eml", "20261201T100000Z-b_40x.eml"])
        #expect(try String(contentsOf: folder.appendingPathComponent("20261201T090000Z-a_40x.eml"), encoding: .utf8) == "second, longer")
    }

    @Test func noTemporaryFileIsLeftBehind() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent().deletingLastPathComponent()) }
        let mail = MailDirectory(directory: folder, clock: ManualClock(Self.tuesday))
        for n in 0..<20 {
            try mail.deliver(Array(repeating: UInt8(ascii: "x"), count: 10_000 * n), messageID: "<\(n % 5)@x>", from: "", to: ["a@b"])
        }
        #expect(try Self.files(folder).count == 5)
        #expect(try Self.files(folder).allSatisfy { !$0.hasPrefix(".") && $0.hasSuffix(".eml") })
    }

    @Test func readersNeverSeeAHalfWrittenFile() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent().deletingLastPathComponent()) }
        let mail = MailDirectory(directory: folder, clock: ManualClock(Self.tuesday))
        let small = [UInt8](repeating: UInt8(ascii: "s"), count: 10)
        let large = [UInt8](repeating: UInt8(ascii: "L"), count: 2_000_000)
        try mail.deliver(small, messageID: "<same@x>", from: "", to: ["a@b"])
        let path = folder.appendingPathComponent("20261201T090000Z-same_40x.eml").path
        let torn = Failures()

        DispatchQueue.concurrentPerform(iterations: 2) { side in
            for round in 0..<15 {
                if side == 0 {
                    do { try mail.deliver(round % 2 == 0 ? large : small, messageID: "<same@x>", from: "", to: ["a@b"]) }
                    catch { torn.add(error) }
                } else if let seen = FileManager.default.contents(atPath: path), seen != Data(small), seen != Data(large) {
                    torn.add(TornRead(size: seen.count))
                }
            }
        }

        #expect(torn.all.isEmpty, "\(torn.all)")
    }

    @Test(arguments: ["../../etc/passwd", "<../../escape@x>", "/etc/passwd", "a/../../b", "..", "<.>", "x\u{0}y", "dir\\file"])
    func anIDNeverLeavesTheFolder(_ id: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loket-maildir-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("inbox/mail")
        defer { try? FileManager.default.removeItem(at: root) }
        let mail = MailDirectory(directory: folder, clock: ManualClock(Self.tuesday))

        try mail.deliver(Array("x".utf8), messageID: id, from: "", to: ["a@b"])

        let files = try Self.files(folder)
        #expect(files.count == 1)
        #expect(files.allSatisfy { name in name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) } })
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("inbox").path) == ["mail"])
    }

    @Test func distinctIDsKeepDistinctNames() {
        let ids = ["a_b@x", "a@b@x", "a b@x", "a_40b@x", "<a@b.x>", "é@x", "e@x"]
        let keys = ids.map(MailDirectory.fileKey)
        #expect(Set(keys).count == ids.count, "\(keys)")
        #expect(MailDirectory.fileKey("<a@b.x>") == "a_40b.x")
        #expect(MailDirectory.fileKey("a_b") == "a_5Fb")
    }

    @Test func aVeryLongIDIsShortenedButStaysDistinct() {
        let a = MailDirectory.fileKey(String(repeating: "x", count: 300) + "@a")
        let b = MailDirectory.fileKey(String(repeating: "x", count: 300) + "@b")
        #expect(a.utf8.count <= 200 && b.utf8.count <= 200)
        #expect(a != b)
    }

    @Test func anEmptyIDIsPermanent() throws {
        let mail = MailDirectory(directory: Self.folder())
        #expect(throws: MailDeliveryError.self) { try mail.deliver([], messageID: "<>", from: "", to: ["a@b"]) }
    }

    @Test func anUnwritableFolderIsTemporary() throws {
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("loket-maildir-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: blocker) }
        try Data("a file, not a folder".utf8).write(to: blocker)
        let mail = MailDirectory(directory: blocker.appendingPathComponent("mail"))

        do {
            try mail.deliver([], messageID: "<a@b>", from: "", to: ["a@b"])
            Issue.record("wrote into a file")
        } catch let error as MailDeliveryError {
            #expect(error.isTemporary)
        }
    }

    @Test func stampsAreUTCAndSortable() {
        #expect(MailDirectory.stamp(Self.tuesday) == "20261201T090000Z")
        #expect(MailDirectory.stamp(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
    }
}

/// A reader saw a file that was neither the old message nor the new one.
struct TornRead: Error {
    var size: Int
}
