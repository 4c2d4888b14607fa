// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Tsunagari",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tsunagari", targets: ["Tsunagari"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // The domain: entities, policies, use-case services and storage ports. No web or database module.
        .target(
            name: "TsunagariCore",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        // The social graph in memory: pure Swift, no I/O.
        .target(
            name: "TsunagariGraph",
            dependencies: ["TsunagariCore", "CPrefetch"],
            swiftSettings: swiftSettings
        ),
        // Text analysis and the recruiter query language: pure Swift, one implementation for both databases.
        .target(
            name: "TsunagariSearch",
            dependencies: ["TsunagariCore"],
            swiftSettings: swiftSettings
        ),
        // The files members bring and take: LinkedIn's export, business cards (CSV, vCard), the export zip.
        .target(
            name: "TsunagariDataFiles",
            dependencies: [
                "TsunagariCore",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // QR codes (ISO/IEC 18004) as SVG and PNG: pure Swift, no I/O.
        .target(
            name: "TsunagariQR",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        // Outgoing mail: a small SMTP client on SwiftNIO (STARTTLS, implicit TLS, AUTH). Imports no other module.
        .target(
            name: "TsunagariMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // A prefetch hint for the graph's walks over memory larger than the processor's caches.
        .target(name: "CPrefetch"),
        // libvips loaded at run time (dlopen): the build needs no image library; photos need Debian's libvips42.
        .target(
            name: "CVips",
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // Member photos and banners: decode, refuse bad input, crop and re-encode without metadata. Imports only CVips.
        .target(
            name: "TsunagariPhotos",
            dependencies: ["CVips"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TsunagariStorageSQLite",
            dependencies: [
                "TsunagariCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TsunagariStoragePostgres",
            dependencies: [
                "TsunagariCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TsunagariWeb",
            dependencies: [
                "TsunagariCore",
                "TsunagariGraph",
                "TsunagariSearch",
                "TsunagariStorageSQLite",
                "TsunagariStoragePostgres",
                "TsunagariDataFiles",
                "TsunagariQR",
                "TsunagariMail",
                "TsunagariPhotos",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // Benchmarks run by `tsunagari bench`; they compare the product's answers with baselines.
        .target(
            name: "TsunagariBenchmarks",
            dependencies: [
                "TsunagariCore",
                "TsunagariGraph",
                "TsunagariSearch",
                "TsunagariStorageSQLite",
                "TsunagariStoragePostgres",
                "TsunagariDataFiles",
                "TsunagariWeb",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/TsunagariBenchmarks",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Tsunagari",
            dependencies: [
                "TsunagariCore",
                "TsunagariWeb",
                "TsunagariStorageSQLite",
                "TsunagariBenchmarks",
                "TsunagariPhotos",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariCoreTests",
            dependencies: ["TsunagariCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariSearchTests",
            dependencies: ["TsunagariSearch", "TsunagariCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariGraphTests",
            dependencies: ["TsunagariGraph", "TsunagariCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariStorageTests",
            dependencies: [
                "TsunagariCore", "TsunagariSearch", "TsunagariStorageSQLite", "TsunagariStoragePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariDataFilesTests",
            dependencies: [
                "TsunagariDataFiles", "TsunagariCore",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariQRTests",
            dependencies: ["TsunagariQR"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariPhotosTests",
            dependencies: ["TsunagariPhotos"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariMailTests",
            dependencies: ["TsunagariMail"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TsunagariWebTests",
            dependencies: [
                "TsunagariCore",
                "TsunagariWeb",
                "TsunagariGraph",
                "TsunagariSearch",
                "TsunagariStorageSQLite",
                "TsunagariDataFiles",
                "TsunagariPhotos",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
