import Foundation
import Tensors

/// The mean and covariance of a set of Inception features: what FID compares. Stored as pytorch-fid and EDM
/// store them, an `.npz` with `mu` (float64 [d]) and `sigma` (float64 [d, d]), so published reference
/// statistics and belm's are interchangeable.
public struct FIDStatistics: Equatable, Sendable {
    public let mu: [Double]
    /// Row-major d × d.
    public let sigma: [Double]

    public var dimension: Int { mu.count }

    public init(mu: [Double], sigma: [Double]) {
        precondition(sigma.count == mu.count * mu.count, "sigma holds \(sigma.count) values, not \(mu.count)² for mu's \(mu.count)")
        self.mu = mu
        self.sigma = sigma
    }

    /// Reads an `.npz` written by `np.savez` or `np.savez_compressed` (float64 or float32 arrays).
    public init(contentsOf url: URL) throws {
        let arrays: [String: NumpyArray]
        do {
            arrays = try NPZFile.read(url)
        } catch let error as TensorFileError {
            throw FIDError("\(error.description)")
        }
        let found = arrays.keys.sorted().joined(separator: ", ")
        guard let mu = arrays["mu"], let sigma = arrays["sigma"] else {
            throw FIDError("\(url.path): FID statistics need arrays 'mu' and 'sigma' (found: \(found.isEmpty ? "none" : found)); write them with np.savez(path, mu=mu, sigma=sigma) or belm fid-stats")
        }
        guard mu.shape.count == 1, mu.shape[0] > 0 else {
            throw FIDError("\(url.path): 'mu' has shape \(mu.shape); it must be one axis of feature means, e.g. [2048]")
        }
        let d = mu.shape[0]
        guard sigma.shape == [d, d] else {
            throw FIDError("\(url.path): 'sigma' has shape \(sigma.shape), but 'mu' has \(d) features, so sigma must be [\(d), \(d)]")
        }
        guard mu.values.allSatisfy(\.isFinite), sigma.values.allSatisfy(\.isFinite) else {
            throw FIDError("\(url.path): 'mu' or 'sigma' holds NaN or infinite values; recompute the statistics")
        }
        self.init(mu: mu.values, sigma: sigma.values)
    }

    public func write(to url: URL) throws {
        let d = dimension
        try NPZFile.write([
            "mu": NumpyArray(shape: [d], values: mu),
            "sigma": NumpyArray(shape: [d, d], values: sigma),
        ], to: url)
    }
}
