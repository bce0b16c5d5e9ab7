import Foundation

/// Measured convergence order: minus the least-squares slope of log(error) against log(steps). An order-p
/// method's error falls like steps^-p once the step is small enough.
enum ConvergenceOrder {
    /// nil when fewer than two usable points (errors must be positive).
    static func fit(_ points: [(steps: Int, error: Double)]) -> Double? {
        let usable = points.filter { $0.error > 0 && $0.error.isFinite && $0.steps > 0 }
        guard Set(usable.map(\.steps)).count >= 2 else { return nil }
        let xs = usable.map { log(Double($0.steps)) }, ys = usable.map { log($0.error) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
        }
        return -sxy / sxx
    }
}
