// swift-tools-version: 6.0
import PackageDescription

// Module graph (each arrow is "depends on"); VulkanCompute (Compute + CVulkan) plugs into BELMCommands:
//   Tensors ← Compute ← Diffusion ← Models ← Experiments ← Site ← BELMCommands ← belm
//   Models ← FID (+ CLapack) ← BELMCommands
// System libraries come in as module maps over Debian's -dev packages.
let package = Package(
    name: "belm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "belm", targets: ["belm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        // libjpeg reports fatal errors by calling error_exit, which by default exits the process; this C shim
        // installs one that longjmps back inside C, so a bad file becomes an error.
        .target(name: "CJPEG", dependencies: ["CLibJPEG"]),
        // OpenSSL's libcrypto, for SHA-256 over whole checkpoints (cache keys, model digests).
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Debian's LAPACK (LAPACKE and CBLAS): the symmetric eigendecompositions of the Fréchet distance.
        .systemLibrary(name: "CLapack", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        // zlib: inflating the deflated members of `np.savez_compressed` files, and CRC-32 for every zip member.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark", providers: [.apt(["libcmark-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        // Vulkan's headers only (libvulkan-dev): no pkgConfig, which would link libvulkan; VulkanCompute opens the
        // loader at run time so that belm starts, and --backend cpu works, where Vulkan is not installed.
        .systemLibrary(name: "CVulkan", providers: [.apt(["libvulkan-dev"])]),
        // Compiles Sources/*/Shaders/*.comp with glslc (found on PATH) into embedded SPIR-V.
        .plugin(name: "GLSLCompilerPlugin", capability: .buildTool()),

        .target(name: "Tensors", dependencies: ["CZlib"]),
        .target(name: "Compute", dependencies: ["Tensors"]),
        .target(name: "VulkanCompute", dependencies: ["Compute", "CVulkan"], plugins: ["GLSLCompilerPlugin"]),
        .target(name: "Diffusion", dependencies: ["Compute"]),
        // Resources/ holds the shipped diffusers folders, read from disk by BuiltinModelLocator (not bundled).
        .target(name: "Models", dependencies: ["Diffusion", "CPNG", "CJPEG"], exclude: ["Resources"]),
        // FID: pytorch-fid's Inception network, feature statistics and the Fréchet distance.
        .target(name: "FID", dependencies: ["Models", "CLapack"]),
        .target(name: "Experiments", dependencies: ["Models", "FID", "CCrypto"]),
        .target(name: "Site", dependencies: [
            "Experiments", "FID", "CCmark", "CCairo",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "BELMCommands", dependencies: [
            "Site", "FID", "VulkanCompute",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "belm", dependencies: ["BELMCommands"]),
        // Micro-benchmark of conv2d / linear / batchedMatmul and of the whole UNet on the Vulkan backend (not a test).
        .executableTarget(name: "kernel-bench", dependencies: ["VulkanCompute", "Models"], path: "Sources/KernelBench"),

        // What several test targets share: running the built belm executable as a user does.
        .target(name: "BELMTestSupport", path: "Tests/Support"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "ComputeTests", dependencies: ["Compute"]),
        .testTarget(name: "VulkanComputeTests", dependencies: ["VulkanCompute"]),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion"], exclude: ["Fixtures"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "VulkanCompute"]),
        .testTarget(name: "SiteTests", dependencies: ["Site", "BELMCommands", "BELMTestSupport"]),
        // Fixtures/ holds golden files read by path, with the script that generates them.
        .testTarget(name: "ModelsTests", dependencies: ["Models", "VulkanCompute"], exclude: ["Fixtures"]),
        // Fixtures/ holds pytorch-fid's outputs, with the script that generates them.
        .testTarget(name: "FIDTests", dependencies: ["FID", "VulkanCompute"], exclude: ["Fixtures"]),
        .testTarget(name: "BELMCommandsTests", dependencies: ["BELMCommands", "VulkanCompute", "BELMTestSupport"]),
    ]
)
