/// The locally most accurate coefficients of a k-step BELM [BELM paper eq 12–14, 27–34], on x̄ = x/α:
///
///   x̄_{new} = Σ_{j=1..k} a_j x̄_j + Σ_{j=1..k−1} b_j h_j ε_j,
///
/// state j being j states back from the new one (j = 1 the newest), h_j the σ̄-step that ends at state
/// j − 1 (h_1 is the step being taken), all h > 0 (the paper's sign; the official code's h < 0 flips the
/// sign of every b·h term). They solve the Taylor system A [a, b]ᵀ = [1, 0, …, 0]ᵀ of 2k − 1 rows that makes
/// the step exact for x̄ polynomial in σ̄ of degree ≤ 2k − 2: row l holds S_j^l / l! for a_j and
/// h_j S_j^{l−1} / (l − 1)! for b_j, with S_j = h_1 + … + h_j the distance from the new state to state j.
public struct BELMCoefficients: Sendable, Equatable {
    public var a: [Double]
    public var b: [Double]

    /// `steps` = [h_1, …, h_k], all positive.
    public init(steps: [Double]) {
        let k = steps.count
        precondition(k >= 1 && steps.allSatisfy { $0 > 0 }, "BELM needs k ≥ 1 positive σ̄-steps")
        // The system is homogeneous in the step size: solve it with h_1 = 1 for a well-scaled matrix.
        let h = steps.map { $0 / steps[0] }
        var reach: [Double] = []
        var total = 0.0
        for step in h { total += step; reach.append(total) }
        let unknowns = 2 * k - 1
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: unknowns), count: unknowns)
        var rhs = [Double](repeating: 0, count: unknowns)
        rhs[0] = 1
        var factorial = 1.0
        for l in 0..<unknowns {
            if l > 0 { factorial *= Double(l) }
            for j in 0..<k { matrix[l][j] = Self.pow(reach[j], l) / factorial }
            if l > 0 {
                let lower = factorial / Double(l)
                for j in 0..<(k - 1) { matrix[l][k + j] = h[j] * Self.pow(reach[j], l - 1) / lower }
            }
        }
        let solution = Self.solve(matrix, rhs)
        a = Array(solution[0..<k])
        b = Array(solution[k...])
    }

    /// Gaussian elimination with partial pivoting.
    static func solve(_ matrix: [[Double]], _ rhs: [Double]) -> [Double] {
        var m = matrix, y = rhs
        let n = y.count
        for column in 0..<n {
            let pivot = (column..<n).max { abs(m[$0][column]) < abs(m[$1][column]) }!
            precondition(m[pivot][column] != 0, "the BELM Taylor system is singular")
            m.swapAt(column, pivot)
            y.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = m[row][column] / m[column][column]
                if factor == 0 { continue }
                for c in column..<n { m[row][c] -= factor * m[column][c] }
                y[row] -= factor * y[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[row]
            for c in (row + 1)..<n { sum -= m[row][c] * x[c] }
            x[row] = sum / m[row][row]
        }
        return x
    }

    private static func pow(_ x: Double, _ n: Int) -> Double { (0..<n).reduce(1) { r, _ in r * x } }
}
