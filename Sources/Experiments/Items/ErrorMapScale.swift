import Foundation

extension ErrorValues {
    /// The power of ten that makes the largest round-trip error of a figure show (|error| ≥ 1 is white),
    /// shared by the whole figure so that the samplers' maps compare; at most 10⁶.
    public static func amplification(forLargestError error: Float) -> Float {
        guard error > 0 else { return 1_000_000 }
        return Float(min(1e6, max(1, pow(10, (log10(2 / Double(error))).rounded(.up)))))
    }
}
