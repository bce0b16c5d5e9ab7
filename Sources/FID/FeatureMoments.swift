import CLapack

/// Running sums of feature vectors, (n, Σf, Σffᵀ) in float64: what a batch, a work item or a shard contributes
/// to FID statistics. Sums merge by addition, so the statistics do not depend on how the features were split.
public struct FeatureMoments: Equatable, Sendable {
    public let dimension: Int
    public private(set) var count: Int = 0
    public private(set) var sum: [Double]
    /// Σffᵀ, row-major d × d.
    public private(set) var outerSum: [Double]

    public init(dimension: Int) {
        self.dimension = dimension
        sum = [Double](repeating: 0, count: dimension)
        outerSum = [Double](repeating: 0, count: dimension * dimension)
    }

    /// Adds `rows` feature vectors, row-major [rows, dimension].
    public mutating func add(_ features: [Float], rows: Int) {
        precondition(features.count == rows * dimension, "\(features.count) feature values are not \(rows) rows of \(dimension)")
        guard rows > 0 else { return }
        let f = features.map(Double.init)
        for r in 0..<rows { for j in 0..<dimension { sum[j] += f[r * dimension + j] } }
        // Σffᵀ += Fᵀ F, upper triangle by dsyrk (half a product), mirrored below.
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(dimension), Int32(rows), 1, f, Int32(dimension),
                    1, &outerSum, Int32(dimension))
        for i in 0..<dimension { for j in (i + 1)..<max(i + 1, dimension) { outerSum[j * dimension + i] = outerSum[i * dimension + j] } }
        count += rows
    }

    public mutating func merge(_ other: FeatureMoments) {
        precondition(other.dimension == dimension, "feature widths \(other.dimension) and \(dimension) do not merge")
        count += other.count
        for j in 0..<dimension { sum[j] += other.sum[j] }
        for k in 0..<outerSum.count { outerSum[k] += other.outerSum[k] }
    }

    /// The mean and the unbiased covariance (n − 1 in the denominator, as `np.cov`).
    public func statistics() throws -> FIDStatistics {
        guard count >= 2 else {
            throw FIDError("FID statistics need at least 2 images (got \(count)): a covariance of fewer is undefined")
        }
        let n = Double(count), d = dimension
        let mu = sum.map { $0 / n }
        var sigma = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { sigma[i * d + j] = (outerSum[i * d + j] - n * mu[i] * mu[j]) / (n - 1) } }
        return FIDStatistics(mu: mu, sigma: sigma)
    }
}
