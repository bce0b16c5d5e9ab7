import CLapack

/// The two dense float64 operations the Fréchet distance needs, from Debian's LAPACK and BLAS: a symmetric
/// eigendecomposition (`dsyevd`, divide and conquer) of a square matrix and a matrix product (`dgemm`).
/// Matrices are row-major.
enum SymmetricMatrix {
    struct NoConvergence: Error { let info: Int32 }

    /// Eigenvalues in ascending order and, when asked, the eigenvectors as the columns of a row-major matrix.
    static func eigen(_ matrix: [Double], n: Int, vectors: Bool) throws -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: vectors ? "V" : "N")), CChar(UInt8(ascii: "U")),
                                  Int32(n), &a, Int32(n), &w)
        guard info == 0 else { throw NoConvergence(info: info) }
        return (w, vectors ? a : [])
    }

    /// op(a) · b, `m × n`, where op(a) is `m × k` (a itself `k × m` when `transposeA` is set) and b is `k × n`.
    static func product(_ a: [Double], transposeA: Bool, _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(transposeA ? m : k), b, Int32(n), 0, &c, Int32(n))
        return c
    }
}
