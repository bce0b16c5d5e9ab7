import Compute
import Diffusion
import Tensors

/// The embedded reference model: the exact noise prediction ε*(x, t) of an isotropic Gaussian mixture centred
/// on a labelled image set (see `GaussianMixtureDensity` for the formulas), evaluated with backend ops so that
/// it runs wherever the samplers' tensors live.
///
/// For a batch x [B, D]: logits = (α/v) x·Mᵀ − (α²/2v)‖μ_k‖² (the ‖x‖² term is the same for every component and
/// cancels in the softmax), r = softmax(logits) (classes outside the requested one masked to −∞), and
/// ε* = (σ/v) x − (ασ/v) r·M. The image matrix is uploaded once, as M [K, D] and as Mᵀ [D, K], so that both
/// products are `linear` ops reading their weights row by row.
public final class GaussianMixtureModel: NoisePredictor {
    /// A component std that gives clean-looking samples.
    public static let defaultSpread = 0.1
    /// A wider mixture whose probability-flow ODE is smooth enough for the samplers' asymptotic convergence
    /// orders to show by 40–160 steps (order plots).
    public static let convergenceStudySpread = 0.3

    public let backend: any Backend
    public let density: GaussianMixtureDensity
    /// ᾱ for each diffusers timestep index 0…T−1.
    public let alphasCumprod: [Double]
    /// M [K, D]: one image per row.
    private let meanMatrix: Tensor
    /// ‖μ_k‖² / 2, in Double.
    private let halfSquaredNorms: [Double]
    /// Mᵀ [D, K]: r·M = linear(r, weight: Mᵀ).
    private let meanMatrixTransposed: Tensor

    public init(images: LabeledImageSet, spread: Double = GaussianMixtureModel.defaultSpread,
                alphasCumprod: [Double], backend: any Backend) {
        precondition(!alphasCumprod.isEmpty && alphasCumprod.allSatisfy { $0 > 0 && $0 <= 1 },
                     "alphasCumprod must hold values in (0, 1]")
        self.backend = backend
        self.density = GaussianMixtureDensity(images: images, spread: spread)
        self.alphasCumprod = alphasCumprod
        meanMatrix = backend.tensor(images.pixels, shape: [images.count, images.dimension])
        let d = images.dimension, k = images.count
        var transposed = [Float](repeating: 0, count: k * d)
        for component in 0..<k {
            for i in 0..<d { transposed[i * k + component] = images.pixels[component * d + i] }
        }
        meanMatrixTransposed = backend.tensor(transposed, shape: [d, k])
        halfSquaredNorms = (0..<images.count).map { k in
            var sum = 0.0
            for i in 0..<d { let m = Double(images.pixels[k * d + i]); sum += m * m }
            return sum / 2
        }
    }

    public var images: LabeledImageSet { density.images }
    public var spread: Double { density.spread }
    public var classNames: [String] { images.classNames }
    /// The shape of one sample, [C, H, W].
    public var sampleShape: [Int] { images.imageShape }

    public func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor {
        precondition(alphasCumprod.indices.contains(timestep),
                     "timestep \(timestep) is outside the schedule's 0…\(alphasCumprod.count - 1)")
        return predictNoise(x, alphaCumprod: alphasCumprod[timestep], conditioning: conditioning)
    }

    /// ε* at a noise level given by ᾱ itself (ᾱ = 1 is the data distribution, where ε* = 0).
    public func predictNoise(_ x: Tensor, alphaCumprod: Double, conditioning: Conditioning) -> Tensor {
        precondition(alphaCumprod > 0 && alphaCumprod <= 1, "ᾱ must be in (0, 1], got \(alphaCumprod)")
        let batch = x.shape.first ?? 0
        let d = density.dimension, k = density.componentCount
        precondition(x.count == batch * d, "the reference model takes [B, \(sampleShape.map(String.init).joined(separator: ", "))], got \(x.shape)")
        let alpha = alphaCumprod.squareRoot(), sigma = (1 - alphaCumprod).squareRoot()
        let v = density.componentVariance(alphaCumprod: alphaCumprod)

        let rows = x.reshaped([batch, d])
        let bias = backend.tensor(halfSquaredNorms.map { Float(-alphaCumprod * $0 / v) }, shape: [k])
        var logits = backend.linear(backend.scaled(rows, by: alpha / v), weight: meanMatrix, bias: bias)
        if let mask = classMask(conditioning, batch: batch) {
            logits = backend.add(logits, mask)
        }
        let weights = backend.softmax(logits)
        let expected = backend.linear(weights, weight: meanMatrixTransposed, bias: nil)
        return backend.linearCombination([(rows, sigma / v), (expected, -alpha * sigma / v)]).reshaped(x.shape)
    }

    /// 0 on the components of each sample's class, −∞ elsewhere; nil when unconditional.
    private func classMask(_ conditioning: Conditioning, batch: Int) -> Tensor? {
        switch conditioning {
        case .unconditional:
            return nil
        case .classes(let labels):
            precondition(labels.count == batch, "\(labels.count) class labels for a batch of \(batch)")
            let k = density.componentCount
            var mask = [Float](repeating: -.infinity, count: batch * k)
            for (b, label) in labels.enumerated() {
                precondition(classNames.indices.contains(label),
                             "class \(label) is outside the model's \(classNames.count) classes (\(classNames.joined(separator: ", ")))")
                for component in 0..<k where images.labels[component] == label { mask[b * k + component] = 0 }
            }
            return backend.tensor(mask, shape: [batch, k])
        case .text, .textAndAdded:
            preconditionFailure("the reference model is conditioned on class labels, not text")
        }
    }
}
