import CLapack
import Models

/// KID: the unbiased estimate of the squared maximum mean discrepancy (MMD²) between two feature sets with
/// the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over random subsets, as torch-fidelity
/// and clean-fid compute it (Bińkowski et al. 2018): each of `subsets` rounds draws `subsetSize` rows of each
/// set without replacement and takes
///     MMD² = (Σ_{i≠j} k(xᵢ, xⱼ) + Σ_{i≠j} k(yᵢ, yⱼ)) / (m(m − 1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / m².
/// Unlike FID it needs the features themselves (a pair of mean and covariance cannot give it). The subsets
/// come from a seeded generator, so the value is the same on every run; the arithmetic is float64.
public struct KernelInceptionDistance: Sendable, Equatable {
    public static let defaultSubsets = 100
    public static let defaultSubsetSize = 1000
    public static let defaultSeed: UInt64 = 0

    /// The mean of the subsets' MMD², the number reported as KID.
    public var mean: Double
    /// Their standard deviation (over the subsets, n in the denominator, as torch-fidelity reports it).
    public var standardDeviation: Double
    public var subsets: Int
    /// Rows drawn from each set per subset: `subsetSize` or the smaller set's size when that is smaller.
    public var subsetSize: Int

    /// KID between features `a` and `b`, each row-major [rows, width].
    public static func between(_ a: [Float], _ b: [Float], width: Int, subsets: Int = defaultSubsets,
                               subsetSize: Int = defaultSubsetSize, seed: UInt64 = defaultSeed) throws -> KernelInceptionDistance {
        precondition(width > 0 && a.count % width == 0 && b.count % width == 0, "features are not rows of \(width)")
        guard subsets >= 1, subsetSize >= 2 else {
            throw FIDError("KID needs at least 1 subset of at least 2 rows (got \(subsets) subsets of \(subsetSize))")
        }
        let rowsA = a.count / width, rowsB = b.count / width
        let m = min(subsetSize, rowsA, rowsB)
        guard m >= 2 else {
            throw FIDError("KID needs at least 2 images in each set (got \(rowsA) and \(rowsB))")
        }
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        for _ in 0..<subsets {
            let x = gather(a, rows: sample(m, of: rowsA, &generator), width: width)
            let y = gather(b, rows: sample(m, of: rowsB, &generator), width: width)
            values.append(unbiasedMMD2(x, y, rows: m, width: width))
        }
        let mean = values.reduce(0, +) / Double(subsets)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(subsets)
        return KernelInceptionDistance(mean: mean, standardDeviation: variance.squareRoot(), subsets: subsets, subsetSize: m)
    }

    /// `count` distinct indices of 0..<n: the first `count` places of a Fisher–Yates shuffle, each place
    /// i taking index i + (next() mod (n − i)). The golden script repeats exactly this.
    static func sample(_ count: Int, of n: Int, _ generator: inout SplitMix64) -> [Int] {
        var indices = Array(0..<n)
        for i in 0..<count {
            let j = i + Int(generator.next() % UInt64(n - i))
            indices.swapAt(i, j)
        }
        return Array(indices.prefix(count))
    }

    static func gather(_ features: [Float], rows: [Int], width: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows.count * width)
        for (k, row) in rows.enumerated() {
            for j in 0..<width { out[k * width + j] = Double(features[row * width + j]) }
        }
        return out
    }

    /// The unbiased MMD² of two subsets of `rows` rows each.
    static func unbiasedMMD2(_ x: [Double], _ y: [Double], rows m: Int, width d: Int) -> Double {
        let scale = 1 / Double(d)
        func cube(_ g: Double) -> Double { let k = g * scale + 1; return k * k * k }
        // Off-diagonal sum of a Gram matrix's kernel: the strict upper triangle twice (dsyrk fills the upper one).
        func offDiagonalSum(_ z: [Double]) -> Double {
            var gram = [Double](repeating: 0, count: m * m)
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(m), Int32(d), 1, z, Int32(d), 0, &gram, Int32(m))
            var sum = 0.0
            for i in 0..<m { for j in (i + 1)..<max(i + 1, m) { sum += cube(gram[i * m + j]) } }
            return 2 * sum
        }
        var cross = [Double](repeating: 0, count: m * m)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(m), Int32(d), 1, x, Int32(d), y, Int32(d), 0, &cross, Int32(m))
        let crossSum = cross.reduce(0) { $0 + cube($1) }
        let n = Double(m)
        return (offDiagonalSum(x) + offDiagonalSum(y)) / (n * (n - 1)) - 2 * crossSum / (n * n)
    }
}
