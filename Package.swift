// swift-tools-version:6.0
// Loket: the front-desk backend of a Belgian municipality, as one binary.
//
// Dependencies point one way: loket -> LoketServer -> LoketHTTP, LoketStore, LoketConfig -> LoketCore.
// Only LoketHTTP imports libmicrohttpd, only LoketStore imports SQLite, only LoketMail imports libcurl;
// libqrencode is read by LoketMail (QR codes in mail) and LoketServer (QR codes on pages).
import PackageDescription

let package = Package(
    name: "Loket",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loket", targets: ["loket"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode",
                       providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(name: "LoketCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "LoketConfig", dependencies: [
            "LoketCore", .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "LoketStore", dependencies: [
            "LoketCore", "CSQLite", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "LoketHTTP", dependencies: [
            "CMicroHTTPD", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "LoketServer", dependencies: [
            "LoketCore", "LoketStore", "LoketHTTP", "LoketConfig", "LoketMail",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "LoketMail", dependencies: [
            "LoketCore", "CCurl", "CQRencode",
        ]),
        .target(name: "LoketKiosk", dependencies: [
            "LoketCore",
        ]),
        .executableTarget(name: "loket", dependencies: [
            "LoketServer", "LoketKiosk", "LoketConfig", "LoketStore", "LoketHTTP", "LoketMail", "LoketCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The sqlite-ceiling loop calls SQLite directly (CSQLite) on purpose: it measures raw SQLite.
        .executableTarget(name: "loket-bench", dependencies: [
            "LoketStore", "LoketConfig", "LoketCore", "CSQLite",
            .product(name: "Logging", package: "swift-log"),
        ], path: "bench/Sources/loket-bench"),

        // The fuzz targets (scripts/fuzz.sh builds them with libFuzzer); in a normal build, a replay tool.
        .executableTarget(name: "loket-fuzz", dependencies: [
            "LoketServer", "LoketHTTP", "LoketStore", "LoketConfig", "LoketKiosk", "LoketCore",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Fuzz/Sources/loket-fuzz"),

        // Shared by the live-server and end-to-end tests; not a product.
        .target(name: "LoketTestKit", path: "Tests/LoketTestKit"),

        .testTarget(name: "LoketCoreTests", dependencies: ["LoketCore"]),
        .testTarget(name: "LoketConfigTests", dependencies: ["LoketConfig", "LoketCore"]),
        .testTarget(name: "LoketStoreTests", dependencies: [
            "LoketStore", "LoketCore", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "LoketHTTPTests", dependencies: [
            "LoketHTTP", "LoketCore", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "LoketServerTests", dependencies: [
            "LoketServer", "LoketHTTP", "LoketStore", "LoketConfig", "LoketCore", "LoketMail", "LoketTestKit",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "LoketKioskTests", dependencies: ["LoketKiosk", "LoketCore"]),
        .testTarget(name: "LoketMailTests", dependencies: ["LoketMail", "LoketCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["LoketTestKit"]),
    ],
    swiftLanguageModes: [.v6]
)
