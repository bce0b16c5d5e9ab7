import Compute
import Diffusion
import Foundation
import Models
import Tensors

/// A model the experiments run, with what they need besides ε: its schedule, its sample shape, its class
/// names and real images to invert. Today that is the embedded reference model (`builtin:shapes`,
/// `gmm:DIR`), whose exact probability-flow ODE solution also gives `ode_error`.
public struct ExperimentModel {
    public init(name: String, mixture: GaussianMixtureModel, schedule: NoiseSchedule) {
        self.name = name
        self.mixture = mixture
        self.schedule = schedule
    }

    /// The `--model` value, as records name the model.
    public let name: String
    public let mixture: GaussianMixtureModel
    public let schedule: NoiseSchedule

    public var predictor: any NoisePredictor { mixture }
    public var images: LabeledImageSet { mixture.images }
    public var sampleShape: [Int] { mixture.sampleShape }
    public var classNames: [String] { mixture.classNames }

    /// Loads `--model`. `spread` is the mixture's component std (small: clean samples; 0.3: smooth ODE for
    /// order studies); `imageSize` resamples a `gmm:` folder's images to one square size.
    public static func load(_ argument: String, spread: Double = GaussianMixtureModel.defaultSpread,
                            schedule: NoiseSchedule = .stableDiffusion15, imageSize: Int? = nil,
                            backend: any Backend) throws -> ExperimentModel {
        guard let source = try ReferenceModelSource.parse(argument) else {
            throw ExperimentError("--model \(argument): sample, reconstruct, interpolate and edit run the reference model, builtin:shapes or gmm:DIR; diffusers model folders are not supported by these commands yet")
        }
        guard spread > 0, spread.isFinite else { throw ExperimentError("--spread must be positive, got \(spread)") }
        let mixture = GaussianMixtureModel(images: try source.loadImages(imageSize: imageSize), spread: spread,
                                           alphasCumprod: schedule.alphasCumprod, backend: backend)
        return ExperimentModel(name: argument, mixture: mixture, schedule: schedule)
    }

    /// A class name or index (as `--class` takes it) → the class index.
    public func classIndex(_ text: String) throws -> Int {
        if let index = classNames.firstIndex(of: text) { return index }
        if let index = Int(text), classNames.indices.contains(index) { return index }
        throw ExperimentError("unknown class \"\(text)\"; \(name) has the classes \(classNames.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", "))")
    }

    /// `count` real images: the first images of each class in turn (class 0, 1, …, then the second image of
    /// each class, …), or, with `ofClass`, images of that class spread evenly over it.
    public func evenlySpacedImages(count: Int, ofClass classIndex: Int? = nil) throws -> (images: HostTensor, labels: [Int]) {
        let chosen: [Int]
        if let classIndex {
            let pool = images.indices(ofClass: classIndex)
            guard count >= 1, count <= pool.count else {
                throw ExperimentError("--count \(count) must lie in 1…\(pool.count), the number of \(classNames[classIndex]) images of \(name)")
            }
            chosen = (0..<count).map { pool[$0 * pool.count / count] }
        } else {
            let pools = classNames.indices.map { images.indices(ofClass: $0) }.filter { !$0.isEmpty }
            var picked: [Int] = [], round = 0
            while picked.count < count && round < images.count {
                for pool in pools where round < pool.count && picked.count < count { picked.append(pool[round]) }
                round += 1
            }
            guard count >= 1, picked.count == count else {
                throw ExperimentError("--count \(count) must lie in 1…\(images.count), the number of images of \(name)")
            }
            chosen = picked
        }
        let pixels = chosen.flatMap { images.image($0).values }
        return (HostTensor(shape: [count] + sampleShape, scalars: pixels), chosen.map { images.labels[$0] })
    }
}
