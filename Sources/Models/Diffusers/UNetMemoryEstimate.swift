import Compute
import Foundation

/// What one UNet forward pass needs at least, planned from the config before any weight exists: the weights at
/// their precision (every parameter counted at the precision's width, so fp16's fp32 biases and norms make it a floor), and the largest single buffer of the pass (see `UNetArchitecture.largestBufferBytes`). The peak is
/// higher — other activations are alive beside the largest — so a configuration over a device's memory by this
/// estimate cannot run there at all.
public struct UNetMemoryEstimate: Sendable, Equatable, CustomStringConvertible {
    public let parameterCount: Int
    public let weightBytes: Int
    public let largestBufferBytes: Int
    public let precision: Precision

    /// `limitBytes`: the backend's binding limit, which decides how attention scores are chunked.
    public init(configuration: UNet2DConditionConfiguration, batch: Int, latentSide: Int, contextLength: Int, limitBytes: Int,
                precision: Precision = .standard) {
        parameterCount = configuration.parameterCount
        self.precision = precision
        weightBytes = precision.bytes * parameterCount
        largestBufferBytes = configuration.largestBufferBytes(batch: batch, latentHeight: latentSide, latentWidth: latentSide,
                                                             contextLength: contextLength, limitBytes: limitBytes)
    }

    public var totalBytes: Int { weightBytes + largestBufferBytes }

    public var description: String {
        String(format: "at least %.2f GiB: weights %.2f GiB (%.3f G parameters in %@) + largest buffer %@",
               Self.gibibytes(totalBytes), Self.gibibytes(weightBytes), Double(parameterCount) / 1e9, precision.rawValue, BufferSize.mebibytes(largestBufferBytes))
    }

    static func gibibytes(_ bytes: Int) -> Double { Double(bytes) / Double(1 << 30) }
}
