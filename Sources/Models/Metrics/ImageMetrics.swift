import Foundation

/// Pixel-wise metrics on data in [-1, 1] (the models' space).
public enum ImageMetrics {
    /// The peak-to-peak range of the data, 1 − (−1).
    public static let dataRange = 2.0

    /// Mean of (a − b)² over every value, accumulated in Double.
    public static func meanSquaredError(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count && !a.isEmpty, "MSE needs two non-empty arrays of one size, got \(a.count) and \(b.count)")
        var sum = 0.0
        for i in a.indices { let d = Double(a[i]) - Double(b[i]); sum += d * d }
        return sum / Double(a.count)
    }

    public static func meanSquaredError(_ a: PlanarImage, _ b: PlanarImage) -> Double {
        precondition(a.shape == b.shape, "MSE of images of shapes \(a.shape) and \(b.shape)")
        return meanSquaredError(a.values, b.values)
    }

    /// 10 log₁₀(range² / MSE) with range 2; +∞ for identical images.
    public static func peakSignalToNoiseRatio(meanSquaredError mse: Double) -> Double {
        mse == 0 ? .infinity : 10 * log10(dataRange * dataRange / mse)
    }

    public static func peakSignalToNoiseRatio(_ a: PlanarImage, _ b: PlanarImage) -> Double {
        peakSignalToNoiseRatio(meanSquaredError: meanSquaredError(a, b))
    }
}
