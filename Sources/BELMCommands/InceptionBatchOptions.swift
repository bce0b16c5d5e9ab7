import ArgumentParser
import FID

/// `--batch-size` of the commands that run the FID Inception network (`belm fid`, `belm fid-stats`): one
/// option with one default and one help text, so the two commands cannot drift apart.
public struct InceptionBatchOptions: ParsableArguments {
    @Option(parsing: .unconditional,
            help: "Images per Inception forward pass: memory grows with it, the statistics do not depend on it.")
    public var batchSize: Int = ImageFolderStatistics.defaultBatchSize

    public init() {}

    public func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }
}
