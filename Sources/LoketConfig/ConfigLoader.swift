// Loads the human-edited YAML of a config directory into a `Catalogue`.
//
// The directory holds `settings.yaml`, `categories.yaml`, `locations.yaml`, `counters.yaml`
// and the services, as `services.yaml` and/or `services/*.yaml` (read in name order).
// Files are read in dependency order (categories and locations before the services that
// name them, services before the counters whose profiles name them), so a reference is
// checked where it is written. Every problem is collected; nothing stops at the first.
import Foundation
import LoketCore
import Yams

/// Reads and validates a config directory.
public enum ConfigLoader {
    /// Loads every file of the config directory, validates all of it, and returns the catalogue.
    ///
    /// ```swift
    /// do {
    ///     let catalogue = try ConfigLoader.load(directory: "config")
    /// } catch let error as ConfigError {
    ///     for issue in error.issues { print(issue) }   // config/services.yaml:12:5: unknown location ...
    /// }
    /// ```
    ///
    /// - Throws: `ConfigError` listing every issue found (missing or malformed files, unknown
    ///   keys, wrong types or values, duplicate ids, dangling references), each with its file,
    ///   line and column.
    public static func load(directory: String) throws -> Catalogue {
        let reader = CatalogueReader(directory: directory)
        let catalogue = reader.read()
        let issues = reader.log.issues
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
        return catalogue
    }
}
