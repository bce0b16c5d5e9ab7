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

    @Option(help: "Images per Inception forward pass.")
    public var batchSize: Int = ImageFolderStatistics.defaultBatchSize

    @OptionGroup public var backend: BackendOptions

    public init() {}

    public func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    public func run() throws {
        try backend.requireFP32("the Inception network (FID features, as pytorch-fid computes them)")
        let network = LazyInception(weights: inception, backendOptions: backend, batchSize: batchSize)
        let first = try FIDInput(path: a), second = try FIDInput(path: b)
        let (statsA, countA) = try Self.statistics(first, network)
        let (statsB, countB) = try Self.statistics(second, network)
        guard statsA.dimension == statsB.dimension else {
            throw FIDError("\(a) has \(statsA.dimension) features but \(b) has \(statsB.dimension); FID compares statistics of the same network's features")
        }
        let distance = try FrechetDistance.between(statsA, statsB)
        if json {
            print(try Self.json(distance: distance, sets: [(first, countA), (second, countB)],
                            inception: usesImages(first, second) ? network : nil))
        } else {
            print(distance)
        }
    }

    private func usesImages(_ inputs: FIDInput...) -> Bool {
        inputs.contains { if case .images = $0 { return true } else { return false } }
    }

    static func statistics(_ input: FIDInput, _ network: LazyInception) throws -> (FIDStatistics, Int?) {
        switch input {
        case .statistics(let url): return (try FIDStatistics(contentsOf: url), nil)
        case .images(let url):
            let (statistics, count) = try network.statistics(ofFolder: url)
            return (statistics, count)
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
        var fid: Double
        var a: Set
        var b: Set
        var inception: Weights?
    }

    static func json(distance: Double, sets: [(FIDInput, Int?)], inception: LazyInception?) throws -> String {
        let described = sets.map { input, count -> Report.Set in
            switch input {
            case .statistics(let url): return Report.Set(path: url.path, kind: "statistics", count: count)
            case .images(let url): return Report.Set(path: url.path, kind: "images", count: count)
            }
        }
        let weights = inception.flatMap { lazy in lazy.weights.map { Report.Weights(path: $0.path, sha256: lazy.digest) } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let report = Report(fid: distance, a: described[0], b: described[1], inception: weights)
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
