// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "slipway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipway", targets: ["slipway"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    ],
    targets: [
        .target(
            name: "SlipwayCore",
            path: "Sources/SlipwayCore",
            exclude: ["README.md"]
        ),
        .target(
            name: "SlipwayStore",
            dependencies: [
                "SlipwayCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SlipwayStore",
            exclude: ["README.md"]
        ),
        .target(
            name: "SlipwayDrivers",
            dependencies: [
                "SlipwayCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SlipwayDrivers",
            exclude: ["README.md"]
        ),
        .target(
            name: "SlipwayEngine",
            dependencies: [
                "SlipwayCore",
                "SlipwayStore",
                "SlipwayDrivers",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SlipwayEngine",
            exclude: ["README.md"]
        ),
        .target(
            name: "SlipwayServer",
            dependencies: [
                "SlipwayCore",
                "SlipwayStore",
                "SlipwayEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SlipwayServer",
            exclude: ["README.md"]
        ),
        .target(
            name: "SlipwayCLI",
            dependencies: [
                "SlipwayCore",
                "SlipwayStore",
                "SlipwayEngine",
                "SlipwayServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SlipwayCLI",
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "slipway",
            dependencies: ["SlipwayCLI"],
            path: "Sources/slipway"
        ),
        .target(
            name: "SlipwayTesting",
            dependencies: [
                "SlipwayCore",
                "SlipwayDrivers",
                "SlipwayStore",
                "SlipwayEngine",
                "SlipwayServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SlipwayTesting",
            exclude: ["README.md"]
        ),
        .testTarget(
            name: "SlipwayCoreTests",
            dependencies: ["SlipwayCore"],
            path: "Tests/SlipwayCoreTests"
        ),
        .testTarget(
            name: "SlipwayDriversTests",
            dependencies: ["SlipwayCore", "SlipwayDrivers", "SlipwayTesting"],
            path: "Tests/SlipwayDriversTests"
        ),
        .testTarget(
            name: "SlipwayEngineTests",
            dependencies: [
                "SlipwayCore", "SlipwayStore", "SlipwayEngine", "SlipwayTesting",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/SlipwayEngineTests"
        ),
        .testTarget(
            name: "SlipwayStoreTests",
            dependencies: ["SlipwayCore", "SlipwayStore", "SlipwayTesting"],
            path: "Tests/SlipwayStoreTests"
        ),
        .testTarget(
            name: "SlipwayServerTests",
            dependencies: [
                "SlipwayCore", "SlipwayStore", "SlipwayServer", "SlipwayEngine", "SlipwayDrivers", "SlipwayTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/SlipwayServerTests"
        ),
        .testTarget(
            name: "SlipwayCLITests",
            dependencies: [
                "SlipwayCLI", "SlipwayTesting", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/SlipwayCLITests"
        ),
    ]
)
