// swift-tools-version:5.9
// A user's package (copied into the Swift root by run.sh). It depends on tokenward the way an app
// does with `.package(url: "https://…/tokenward.git", from: "0.1.0")`; run.sh substitutes a
// path to a read-only view of the repository whose last component is `tokenward`, so the
// package identity, and the `.product(…, package: "tokenward")` line, are the same as with a URL.
import PackageDescription

let package = Package(
    name: "TokenwardConsumer",
    platforms: [.macOS(.v11), .iOS(.v13)],
    dependencies: [
        .package(path: "@TOKENWARD_PATH@"),
    ],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [.product(name: "Tokenward", package: "tokenward")],
            path: "Sources/Consumer"
        ),
    ]
)
