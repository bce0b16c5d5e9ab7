import Foundation

/// The Fréchet distance between two Gaussians, the number FID reports:
/// ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr √(Σ₁Σ₂).
///
/// pytorch-fid takes scipy's general matrix square root of Σ₁Σ₂. For covariances (symmetric, positive
/// semi-definite) the trace has an exact symmetric form: with Σ₁ = V Λ Vᵀ and A = V Λ^½, the matrix
/// Aᵀ Σ₂ A is similar to √Σ₁ Σ₂ √Σ₁, whose eigenvalues are those of Σ₁Σ₂; so Tr √(Σ₁Σ₂) = Σᵢ √λᵢ(Aᵀ Σ₂ A).
/// Two symmetric eigendecompositions and two products, all in float64, with eigenvalues that round-off
/// pushes below zero clipped to zero (no diagonal offset needed when Σ₁Σ₂ is singular).
public enum FrechetDistance {
    public static func between(_ a: FIDStatistics, _ b: FIDStatistics) throws -> Double {
        guard a.dimension == b.dimension else {
            throw FIDError("the two statistics have different feature widths (\(a.dimension) and \(b.dimension)); compute both with the same network")
        }
        let n = a.dimension
        var meanDistance = 0.0
        for i in 0..<n { let d = a.mu[i] - b.mu[i]; meanDistance += d * d }
        var traces = 0.0
        for i in 0..<n { traces += a.sigma[i * n + i] + b.sigma[i * n + i] }
        return meanDistance + traces - 2 * (try traceOfSquareRootOfProduct(a.sigma, b.sigma, n: n))
    }

    /// Tr √(Σ₁Σ₂) for symmetric positive semi-definite Σ₁, Σ₂ (row-major, n × n).
    static func traceOfSquareRootOfProduct(_ sigma1: [Double], _ sigma2: [Double], n: Int) throws -> Double {
        let first: (values: [Double], vectors: [Double])
        do {
            first = try SymmetricMatrix.eigen(sigma1, n: n, vectors: true)
        } catch {
            throw FIDError("LAPACK's dsyevd did not converge on the first covariance; it holds non-finite values or is not a covariance")
        }
        // A = V Λ^½: column j of V scaled by √λⱼ. The columns of eigenvalues clipped to zero are zero and add
        // nothing to Aᵀ Σ₂ A but zero rows and columns (zero eigenvalues), so A keeps the r others: the products
        // and the second decomposition then cost n²r + nr² + r³ instead of about 5n³, most of the work when Σ₁
        // comes from fewer images than features (rank below n).
        let kept = (0..<n).filter { first.values[$0] > 0 }
        let r = kept.count
        guard r > 0 else { return 0 }
        var scaled = [Double](repeating: 0, count: n * r)
        for (column, j) in kept.enumerated() {
            let root = first.values[j].squareRoot()
            for i in 0..<n { scaled[i * r + column] = first.vectors[i * n + j] * root }
        }
        let sigma2Scaled = SymmetricMatrix.product(sigma2, transposeA: false, scaled, m: n, k: n, n: r)
        var inner = SymmetricMatrix.product(scaled, transposeA: true, sigma2Scaled, m: r, k: n, n: r)
        // Aᵀ Σ₂ A is symmetric in exact arithmetic; average away the round-off before the symmetric solver.
        for i in 0..<r {
            for j in (i + 1)..<max(i + 1, r) {
                let mean = (inner[i * r + j] + inner[j * r + i]) / 2
                inner[i * r + j] = mean
                inner[j * r + i] = mean
            }
        }
        let second: [Double]
        do {
            second = try SymmetricMatrix.eigen(inner, n: r, vectors: false).values
        } catch {
            throw FIDError("LAPACK's dsyevd did not converge on √Σ₁ Σ₂ √Σ₁; the second covariance holds non-finite values or is not a covariance")
        }
        return second.reduce(0) { $0 + ($1 > 0 ? $1.squareRoot() : 0) }
    }
}
