// `loket restore FILE`: puts a backup in place as the database, with its key file, and migrates it.
import ArgumentParser
import Foundation
import LoketStore

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup (from `loket backup`) in place as the database, with FILE.key, and migrate it. Stop the server first.")

    @OptionGroup var data: DataOptions

    @Argument(help: "The backup file.") var file: String

    @Flag(help: "Replace an existing database and key file.") var force = false

    func run() throws {
        let files = FileManager.default
        let keySource = file + ".key"
        let key = files.contents(atPath: keySource)
        if let key, key.count != 32 {
            fail("\(keySource) does not hold a 32-byte key; nothing restored")
        }
        if !force {
            for existing in [data.db, data.keyPath] where files.fileExists(atPath: existing) {
                fail("\(existing) exists; give --force to replace it (stop the server first)")
            }
        }
        let report: RestoreReport
        do {
            report = try Store.restore(from: file, to: data.db, replace: force, logger: makeLogger("loket", level: .warning))
        } catch let error as StoreError {
            fail("\(error.description); nothing restored")
        }
        if let key {
            try writePrivateFile(key, to: data.keyPath)
        } else if files.fileExists(atPath: data.keyPath) {
            warn("\(keySource) is missing: kept \(data.keyPath); manage links work only if it is the key of the backed-up database")
        } else {
            warn("\(keySource) is missing: a new key will be made, so manage links in mail sent before the backup no longer work")
        }
        let applied = report.stepsApplied.isEmpty ? "" : "; migrated: \(report.stepsApplied.joined(separator: ", "))"
        print("restored \(file) into \(data.db) (\(report.stepsInBackup.count) migration steps in the backup\(applied))")
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("loket restore: \(message)\n".utf8))
        Foundation.exit(1)
    }

    private func warn(_ message: String) {
        FileHandle.standardError.write(Data("loket restore: warning: \(message)\n".utf8))
    }
}

/// Writes `data` to `path` readable by the owner only, replacing it in one step.
func writePrivateFile(_ data: Data, to path: String) throws {
    let temporary = path + ".new-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]),
          rename(temporary, path) == 0 else {
        try? FileManager.default.removeItem(atPath: temporary)
        throw ValidationError("cannot write \(path)")
    }
}
