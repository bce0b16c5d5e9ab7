import ArgumentParser
import FID
import Foundation

/// `belm fid-stats`: the FID statistics of a folder of images, as an .npz that pytorch-fid and EDM read too.
public struct FIDStatsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fid-stats",
        abstract: "Write the FID statistics (mu, sigma in float64) of a folder of images to an .npz file.",
        discussion: """
            Reads every PNG and JPEG directly in --images (sorted by name), as pytorch-fid does: RGB in [0, 1], \
            resized to 299 × 299 bilinearly, pool3 features of the FID Inception network. The file holds mu \
            [2048] and sigma [2048, 2048] as np.savez writes them. --inception is pytorch-fid's weights, converted \
            once to safetensors:
              \(InceptionCheckpoint.conversion)
            """
    )

    @Option(help: "The FID Inception weights (.safetensors with pytorch-fid's tensor names).")
    public var inception: String

    @Option(help: "The folder of images (PNG or JPEG).")
    public var images: String

    @Option(help: "Where to write the statistics (.npz).")
    public var out: String

    @OptionGroup public var batch: InceptionBatchOptions

    @OptionGroup public var backend: BackendOptions

    public init() {}

    public func run() throws {
        try backend.requireFP32("the Inception network (FID features, as pytorch-fid computes them)")
        let network = LazyInception(weights: inception, backendOptions: backend, batchSize: batch.batchSize)
        let (statistics, count) = try network.statistics(ofFolder: URL(fileURLWithPath: images))
        try statistics.write(to: URL(fileURLWithPath: out))
        FileHandle.standardError.write(Data("wrote \(out): statistics of \(count) images; Inception weights sha256 \(network.digest ?? "unknown")\n".utf8))
    }
}
