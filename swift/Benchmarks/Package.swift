// swift-tools-version:5.9
// Hot-path benchmarks of the Swift binding (issues #5, #7), kept out of the main package so
// `swift test` (scripts/test-swift.sh) neither builds nor runs them. Run scripts/bench-swift.sh.
import PackageDescription

let package = Package(
    name: "TokenwardBenchmarks",
    // At least the root package's platforms (SwiftPM refuses a lower deployment target on Apple).
    platforms: [.macOS(.v11), .iOS(.v13)],
    dependencies: [
        .package(name: "Tokenward", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "TokenwardBench",
            dependencies: [.product(name: "Tokenward", package: "Tokenward")],
            path: "Sources/TokenwardBench"
        ),
    ]
)
