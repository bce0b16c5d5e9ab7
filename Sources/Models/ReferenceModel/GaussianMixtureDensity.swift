import Foundation

/// The reference mixture evaluated on the host in Double: the judge of the backend model and the field the
/// exact ODE solver integrates.
///
/// Data: x₀ ~ (1/K) Σ_k N(μ_k, s² I) with μ_k the images and s the `spread`. Diffused: x_t = α x₀ + σ ε with
/// α = √ᾱ, σ = √(1−ᾱ), so p(x_t) = (1/K) Σ_k N(x_t; α μ_k, v I), v = α² s² + σ². Its exact noise prediction is
/// ε*(x_t) = −σ ∇log p(x_t) = σ (x_t − α Σ_k r_k μ_k) / v, with responsibilities r_k ∝ exp(−‖x_t − α μ_k‖² / 2v).
/// The class-conditional model keeps only that class's components (equal weights within the class).
public struct GaussianMixtureDensity: Sendable {
    public let images: LabeledImageSet
    public let spread: Double
    /// The component means in Double, [K · D].
    let means: [Double]

    public init(images: LabeledImageSet, spread: Double) {
        precondition(spread > 0, "the mixture's spread must be positive, got \(spread)")
        self.images = images
        self.spread = spread
        means = images.pixels.map(Double.init)
    }

    public var dimension: Int { images.dimension }
    public var componentCount: Int { images.count }

    /// The components a class label allows (all of them without one).
    public func components(forClass classLabel: Int?) -> [Int] {
        guard let classLabel else { return Array(0..<componentCount) }
        precondition(images.classNames.indices.contains(classLabel),
                     "class \(classLabel) is outside the model's \(images.classNames.count) classes")
        return images.indices(ofClass: classLabel)
    }

    /// Mixture variance v = ᾱ s² + 1 − ᾱ of each diffused component.
    public func componentVariance(alphaCumprod: Double) -> Double { alphaCumprod * spread * spread + 1 - alphaCumprod }

    /// Responsibilities r_k over `components(forClass:)`, in that order.
    public func responsibilities(_ x: [Double], alphaCumprod: Double, classLabel: Int? = nil) -> (components: [Int], weights: [Double]) {
        let components = components(forClass: classLabel)
        let logits = componentLogits(x, alphaCumprod: alphaCumprod, components: components)
        let top = logits.max()!
        var weights = logits.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        for i in weights.indices { weights[i] /= total }
        return (components, weights)
    }

    /// −‖x − α μ_k‖² / 2v for each listed component.
    func componentLogits(_ x: [Double], alphaCumprod: Double, components: [Int]) -> [Double] {
        precondition(x.count == dimension, "the mixture works on \(dimension) values per sample, got \(x.count)")
        let alpha = alphaCumprod.squareRoot(), v = componentVariance(alphaCumprod: alphaCumprod)
        let d = dimension
        return means.withUnsafeBufferPointer { mu in
            x.withUnsafeBufferPointer { x in
                components.map { k in
                    let row = mu.baseAddress! + k * d
                    var distance = 0.0
                    for i in 0..<d { let r = x[i] - alpha * row[i]; distance += r * r }
                    return -distance / (2 * v)
                }
            }
        }
    }

    /// Σ r_k μ_k: the posterior mean of the component centre (E[x₀ | x_t] is a shrinkage towards it).
    public func expectedMean(_ x: [Double], alphaCumprod: Double, classLabel: Int? = nil) -> [Double] {
        let (components, weights) = responsibilities(x, alphaCumprod: alphaCumprod, classLabel: classLabel)
        let d = dimension
        var mean = [Double](repeating: 0, count: d)
        means.withUnsafeBufferPointer { mu in
            mean.withUnsafeMutableBufferPointer { mean in
                // Far components underflow to weight 0 and cost nothing.
                for (k, w) in zip(components, weights) where w > 0 {
                    let row = mu.baseAddress! + k * d
                    for i in 0..<d { mean[i] += w * row[i] }
                }
            }
        }
        return mean
    }

    /// ε*(x, ᾱ) = σ (x − α Σ r_k μ_k) / v.
    public func noisePrediction(_ x: [Double], alphaCumprod: Double, classLabel: Int? = nil) -> [Double] {
        let alpha = alphaCumprod.squareRoot(), sigma = (1 - alphaCumprod).squareRoot()
        let v = componentVariance(alphaCumprod: alphaCumprod)
        let mean = expectedMean(x, alphaCumprod: alphaCumprod, classLabel: classLabel)
        return (0..<dimension).map { sigma * (x[$0] - alpha * mean[$0]) / v }
    }

    /// log p(x_t), normalised: logsumexp_k(−‖x − α μ_k‖²/2v) − log K − (D/2) log(2π v).
    public func logDensity(_ x: [Double], alphaCumprod: Double, classLabel: Int? = nil) -> Double {
        let components = components(forClass: classLabel)
        let logits = componentLogits(x, alphaCumprod: alphaCumprod, components: components)
        let top = logits.max()!
        let sum = logits.reduce(0) { $0 + exp($1 - top) }
        let v = componentVariance(alphaCumprod: alphaCumprod)
        return top + log(sum) - log(Double(components.count)) - Double(dimension) / 2 * log(2 * Double.pi * v)
    }
}
