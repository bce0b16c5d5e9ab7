import ArgumentParser
import FID
import Foundation

/// `belm fid`: the Fréchet Inception Distance between two sets, each a statistics file or a folder of images.
public struct FIDCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fid",
        abstract: "Print the FID between two image folders or .npz statistics files.",
        discussion: """
            A and B are each a folder of PNG/JPEG images or an .npz file holding mu and sigma (as belm fid-stats, \
            pytorch-fid and EDM write them). Two statistics files need no weights and may have any feature width; \
            a folder needs --inception, pytorch-fid's weights converted once to safetensors:
              \(InceptionCheckpoint.conversion)
            The distance is computed in float64 through symmetric eigendecompositions (LAPACK).

            --kid adds the kernel Inception distance (unbiased MMD² with the cubic polynomial kernel, the mean \
            over random subsets drawn from a fixed seed, as torch-fidelity and clean-fid compute it). KID needs \
            the features of every image, so both sets must be image folders: a statistics file holds only their \
            mean and covariance.
            """
    )

    @Option(help: "The FID Inception weights (.safetensors with pytorch-fid's tensor names); needed for image folders.")
    public var inception: String?

    @Argument(help: "The first set: an image folder or an .npz statistics file.")
    public var a: String

    @Argument(help: "The second set: an image folder or an .npz statistics file.")
    public var b: String

    @Flag(help: "Print a JSON object with the distance, each set's source and image count, and the weights' SHA-256.")
    public var json = false

    @Flag(help: "Also print the kernel Inception distance (KID); both sets must be image folders.")
    public var kid = false

    @Option(help: "KID: the number of random subsets averaged.")
    public var kidSubsets: Int = KernelInceptionDistance.defaultSubsets

    @Option(help: "KID: images drawn from each set per subset (the smaller set's count when it holds fewer).")
    public var kidSubsetSize: Int = KernelInceptionDistance.defaultSubsetSize

    @OptionGroup public var batch: InceptionBatchOptions

    @OptionGroup public var backend: BackendOptions

    public init() {}

    public func validate() throws {
        guard kidSubsets > 0 else { throw ValidationError("--kid-subsets must be at least 1, got \(kidSubsets)") }
        guard kidSubsetSize >= 2 else { throw ValidationError("--kid-subset-size must be at least 2, got \(kidSubsetSize)") }
    }

    public func run() throws {
        try backend.requireFP32("the Inception network (FID features, as pytorch-fid computes them)")
        let network = LazyInception(weights: inception, backendOptions: backend, batchSize: batch.batchSize)
        let first = try FIDInput(path: a), second = try FIDInput(path: b)
        if kid {
            // Refused before any image goes through the network.
            for input in [first, second] {
                guard case .images = input else {
                    throw FIDError("\(input.url.path) is a statistics file: KID needs the Inception features of every image, which a statistics file (mu and sigma) does not hold; pass the folder of images instead (or leave out --kid)")
                }
            }
        }
        let (statsA, countA, featuresA) = try Self.statistics(first, network, keepFeatures: kid)
        let (statsB, countB, featuresB) = try Self.statistics(second, network, keepFeatures: kid)
        guard statsA.dimension == statsB.dimension else {
            throw FIDError("\(a) has \(statsA.dimension) features but \(b) has \(statsB.dimension); FID compares statistics of the same network's features")
        }
        let distance = try FrechetDistance.between(statsA, statsB)
        let kernel = try featuresA.flatMap { featuresA in
            try featuresB.map { try KernelInceptionDistance.between(featuresA, $0, width: statsA.dimension, subsets: kidSubsets, subsetSize: kidSubsetSize) }
        }
        if json {
            print(try Self.json(distance: distance, kid: kernel, sets: [(first, countA), (second, countB)],
                            inception: usesImages(first, second) ? network : nil))
        } else if let kernel {
            print("FID \(distance)")
            print("KID \(kernel.mean) ± \(kernel.standardDeviation) (\(kernel.subsets) subsets of \(kernel.subsetSize) images)")
        } else {
            print(distance)
        }
    }

    private func usesImages(_ inputs: FIDInput...) -> Bool {
        inputs.contains { if case .images = $0 { return true } else { return false } }
    }

    /// A set's statistics, its image count (nil for a statistics file) and, with `keepFeatures`, its features.
    static func statistics(_ input: FIDInput, _ network: LazyInception, keepFeatures: Bool) throws -> (FIDStatistics, Int?, [Float]?) {
        switch input {
        case .statistics(let url): return (try FIDStatistics(contentsOf: url), nil, nil)
        case .images(let url) where keepFeatures:
            let (statistics, features, count) = try network.statisticsAndFeatures(ofFolder: url)
            return (statistics, count, features)
        case .images(let url):
            let (statistics, count) = try network.statistics(ofFolder: url)
            return (statistics, count, nil)
        }
    }

    /// What `--json` prints: the distance, where each set came from, and the weights that made image features.
    struct Report: Encodable {
        struct Set: Encodable {
            var path: String
            var kind: String
            var count: Int?
        }
        struct Weights: Encodable {
            var path: String
            var sha256: String?
        }
        /// KID's mean and standard deviation over its subsets, and how they were drawn.
        struct Kernel: Encodable {
            var mean: Double
            var std: Double
            var subsets: Int
            var subsetSize: Int
            var seed: UInt64

            enum CodingKeys: String, CodingKey { case mean, std, subsets, subsetSize = "subset_size", seed }
        }
        var fid: Double
        var kid: Kernel?
        var a: Set
        var b: Set
        var inception: Weights?
    }

    static func json(distance: Double, kid: KernelInceptionDistance?, sets: [(FIDInput, Int?)], inception: LazyInception?) throws -> String {
        let described = sets.map { input, count -> Report.Set in
            switch input {
            case .statistics(let url): return Report.Set(path: url.path, kind: "statistics", count: count)
            case .images(let url): return Report.Set(path: url.path, kind: "images", count: count)
            }
        }
        let weights = inception.flatMap { lazy in lazy.weights.map { Report.Weights(path: $0.path, sha256: lazy.digest) } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let kernel = kid.map { Report.Kernel(mean: $0.mean, std: $0.standardDeviation, subsets: $0.subsets, subsetSize: $0.subsetSize,
                                             seed: KernelInceptionDistance.defaultSeed) }
        let report = Report(fid: distance, kid: kernel, a: described[0], b: described[1], inception: weights)
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
