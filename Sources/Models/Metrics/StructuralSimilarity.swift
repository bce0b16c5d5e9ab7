import Foundation

/// SSIM (Wang, Bovik, Sheikh & Simoncelli 2004) in its standard Gaussian-window form, the formulation of
/// scikit-image's `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`:
/// local means, variances and covariance under an 11-tap Gaussian (σ = 1.5, truncated at 3.5σ), K₁ = 0.01,
/// K₂ = 0.03, data range 2 for [-1, 1] data; the SSIM map is averaged over the positions whose window lies
/// inside the image (scikit-image crops the 5-pixel border the same way), then over channels.
public enum StructuralSimilarity {
    public static let sigma = 1.5
    public static let radius = 5
    public static let k1 = 0.01, k2 = 0.03

    /// The normalised 1-D Gaussian window, 2·radius + 1 taps.
    public static let window: [Double] = {
        let taps = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = taps.reduce(0, +)
        return taps.map { $0 / total }
    }()

    /// Mean SSIM of two images of one shape, each side at least 11 pixels.
    public static func ssim(_ a: PlanarImage, _ b: PlanarImage, dataRange: Double = ImageMetrics.dataRange) -> Double {
        precondition(a.shape == b.shape, "SSIM of images of shapes \(a.shape) and \(b.shape)")
        let side = 2 * radius + 1
        precondition(a.height >= side && a.width >= side, "SSIM's \(side)×\(side) window needs images of at least that size, got \(a.width)×\(a.height)")
        let c1 = (k1 * dataRange) * (k1 * dataRange), c2 = (k2 * dataRange) * (k2 * dataRange)
        var total = 0.0
        for c in 0..<a.channels {
            let x = plane(a, c), y = plane(b, c)
            let mx = filtered(x, a.height, a.width), my = filtered(y, a.height, a.width)
            let mxx = filtered(zip(x, x).map(*), a.height, a.width)
            let myy = filtered(zip(y, y).map(*), a.height, a.width)
            let mxy = filtered(zip(x, y).map(*), a.height, a.width)
            var sum = 0.0
            for i in mx.indices {
                let vx = mxx[i] - mx[i] * mx[i], vy = myy[i] - my[i] * my[i], vxy = mxy[i] - mx[i] * my[i]
                sum += ((2 * mx[i] * my[i] + c1) * (2 * vxy + c2))
                    / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2))
            }
            total += sum / Double(mx.count)
        }
        return total / Double(a.channels)
    }

    private static func plane(_ image: PlanarImage, _ channel: Int) -> [Double] {
        let size = image.height * image.width
        return image.values[(channel * size)..<((channel + 1) * size)].map(Double.init)
    }

    /// The Gaussian-weighted local mean at every position whose whole window lies inside the image
    /// ((h − 10) × (w − 10) values, row-major), separably: rows first, then columns.
    static func filtered(_ values: [Double], _ height: Int, _ width: Int) -> [Double] {
        let outWidth = width - 2 * radius, outHeight = height - 2 * radius
        var rows = [Double](repeating: 0, count: height * outWidth)
        for y in 0..<height {
            for x in 0..<outWidth {
                var sum = 0.0
                for (k, w) in window.enumerated() { sum += w * values[y * width + x + k] }
                rows[y * outWidth + x] = sum
            }
        }
        var out = [Double](repeating: 0, count: outHeight * outWidth)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                var sum = 0.0
                for (k, w) in window.enumerated() { sum += w * rows[(y + k) * outWidth + x] }
                out[y * outWidth + x] = sum
            }
        }
        return out
    }
}
