// swift-tools-version: 6.0
// Adapt: model-agnostic meta-learning (MAML) for reinforcement and supervised learning.
// Module layering (imports flow downwards only): see README.md, "Where things live".
import PackageDescription

let releaseSafety: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "Adapt",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "adapt", targets: ["adapt"]),
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: - System libraries and C shims
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CBLASKernel", linkerSettings: [.linkedLibrary("openblas")]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // MARK: - Foundation: randomness, tensors with higher-order autodiff, neural networks
        .target(name: "SeededRandom"),
        .target(name: "Autodiff", dependencies: ["CBLAS", "CBLASKernel", "SeededRandom"]),
        .target(name: "NN", dependencies: ["Autodiff"]),
        .target(name: "Config", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Experiments"),
        .target(name: "Cluster", dependencies: ["CMPI"]),
        .target(name: "Parallel"),

        // MARK: - Environments (physics, envs, rendering)
        .target(name: "CBox2D", linkerSettings: [.linkedLibrary("box2d")]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
        .target(name: "Physics", dependencies: ["CBox2D", "Config", .product(name: "Yams", package: "Yams")],
                swiftSettings: releaseSafety),
        .target(name: "Envs", dependencies: ["Physics", "SeededRandom"], swiftSettings: releaseSafety),
        .target(name: "Graphics", dependencies: ["CZlib"], swiftSettings: releaseSafety),
        .target(name: "Render", dependencies: ["Envs", "Graphics"], swiftSettings: releaseSafety),
        .target(name: "Glyphs", dependencies: ["CFreeType", "CZlib", "Graphics", "SeededRandom", "Parallel"], swiftSettings: releaseSafety),

        // MARK: - Learners
        .target(name: "RL", dependencies: ["NN", "Envs", "Config", "Experiments", "Cluster", "Parallel"]),
        .target(name: "MetaLearning", dependencies: ["NN", "Config", "Experiments", "Graphics"], swiftSettings: releaseSafety),
        .target(name: "LearnedOptimizer", dependencies: ["NN", "Config", "Experiments", "Graphics", "CZlib"], swiftSettings: releaseSafety),

        // MARK: - Command-line tool
        .executableTarget(name: "adapt", dependencies: [
            "Autodiff", "NN", "Config", "Experiments", "Cluster", "Parallel", "Glyphs", "RL", "Physics", "Envs", "Graphics", "Render", "MetaLearning", "LearnedOptimizer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["Autodiff"], path: "Tests/TestSupport"),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "CBLASKernel", "NN", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "RLTests", dependencies: ["RL", "Experiments", "Parallel", "TestSupport"]),
        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "Config"]),
        .testTarget(name: "EnvsTests", dependencies: ["Envs", "Physics", "SeededRandom"]),
        .testTarget(name: "GraphicsTests", dependencies: ["Graphics"]),
        .testTarget(name: "GlyphsTests", dependencies: ["Glyphs", "Graphics", "MetaLearning"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "Graphics", "Envs"], exclude: ["golden-half-cheetah.txt"]),
        .testTarget(name: "LearnedOptimizerTests", dependencies: ["LearnedOptimizer", "TestSupport"]),
        .testTarget(name: "MetaLearningTests", dependencies: ["MetaLearning", "Experiments", "Graphics", "TestSupport"]),
        .testTarget(name: "AdaptTests", dependencies: ["adapt", "RL", "MetaLearning", "LearnedOptimizer", "NN", "Config", "Experiments"]),
    ],
    cxxLanguageStandard: .cxx17
)
