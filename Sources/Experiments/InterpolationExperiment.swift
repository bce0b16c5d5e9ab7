import Compute
import Diffusion
import Models
import Tensors

/// Interpolation: `points` evenly spaced blends (11 by default: t = 0, 0.1, …, 1) sampled with each sampler.
/// - between two noises: slerp of two seeded (or given) x_T;
/// - between two real images: invert both, slerp their inverted states (x_T and, for the two-state samplers,
///   the companion states with the same weights), sample back; the ends reconstruct the images exactly with
///   an exact sampler.
public struct InterpolationExperiment {
    public enum Endpoints {
        /// Samples 0 and 1 of the seed, or of a given noise tensor [2, C, H, W].
        case noise(HostTensor?)
        /// Two images of the model's set, by index.
        case images(Int, Int)
        /// Two given images [2, C, H, W] at the model's image shape (`--image A B`).
        case files(HostTensor)
    }

    public var settings: RunSettings
    public var endpoints: Endpoints
    public var points: Int

    public init(settings: RunSettings, endpoints: Endpoints, points: Int = 11) {
        self.settings = settings
        self.endpoints = endpoints
        self.points = points
    }

    public struct Output {
        /// The two endpoints: noises, or the original images.
        public var endpoints: HostTensor
        /// One strip [points, C, H, W] per sampler and step count.
        public var strips: [SamplerRun]
        public var records: [MetricRecord]
    }

    public func run(_ model: ExperimentModel, backend: any Backend) throws -> Output {
        if case .noise = endpoints { try settings.validate() } else { try settings.validate(inverting: true) }
        guard points >= 2 else { throw ExperimentError("an interpolation needs at least 2 points, got \(points)") }
        let ts = (0..<points).map { Double($0) / Double(points - 1) }
        let pair: HostTensor
        switch endpoints {
        case .noise(let given):
            if let given {
                try SettingLimits.checkNoise(given)
                guard given.shape == [2] + model.sampleShape else {
                    throw ExperimentError("the noise tensor has shape \(given.shape); interpolation needs [2, \(model.sampleShape.map(String.init).joined(separator: ", "))], its two endpoints")
                }
                pair = given
            } else {
                pair = SeededNoise.batch(seed: settings.seed, indices: 0..<2, shape: model.sampleShape)
            }
        case .images(let i, let j):
            guard let set = model.imageSet else {
                throw ExperimentError("\(model.name) has no image set of its own; give the two images with --image A B")
            }
            for index in [i, j] where !set.labels.indices.contains(index) {
                throw ExperimentError("image \(index) is outside \(model.name)'s \(set.count) images")
            }
            pair = HostTensor(shape: [2] + model.imageShape, scalars: set.image(i).values + set.image(j).values)
        case .files(let given):
            guard given.shape == [2] + model.imageShape else {
                throw ExperimentError("interpolation between images needs exactly two images, got \(given.shape.first ?? 0)")
            }
            pair = given
        }
        // Both ends' conditioning: the model's unconditional branch (the null class, the empty prompt).
        let conditioning = try model.conditioning([.unconditional])
        var strips: [SamplerRun] = [], records: [MetricRecord] = []
        for choice in settings.samplers {
            let sampler = try settings.sampler.sampler(choice)
            let name = settings.sampler.recordName(choice)
            for n in settings.steps {
                let grid = try settings.grid(model.schedule, steps: n)
                let ends: Tensor
                if case .noise = endpoints { ends = backend.tensor(pair) } else { ends = try model.encode(pair, backend: backend) }
                let a = backend.slice(ends, axis: 0, range: 0..<1), b = backend.slice(ends, axis: 0, range: 1..<2)
                let start: (SamplerState, SamplerState)
                switch endpoints {
                case .noise:
                    start = (.noise(a), .noise(b))
                case .images, .files:
                    start = (try sampler.invert(.data(a, grid: grid), grid: grid, model: model.predictor, conditioning: conditioning),
                             try sampler.invert(.data(b, grid: grid), grid: grid, model: model.predictor, conditioning: conditioning))
                }
                // Blend weights from x_T; companions (same shapes) take the same weights.
                var final = FinalStates(model: model, experiment: "interpolation", sampler: name, steps: n)
                for (k, t) in ts.enumerated() {
                    let (wa, wb) = Slerp.weights(start.0.x.values(), start.1.x.values(), t: t)
                    let blend = { (u: Tensor, v: Tensor) in backend.linearCombination([(u, wa), (v, wb)]) }
                    let state = SamplerState(x: blend(start.0.x, start.1.x), index: start.0.index,
                                             companions: zip(start.0.companions, start.1.companions).map(blend))
                    let result = try sampler.sample(from: state, grid: grid, model: model.predictor, conditioning: conditioning)
                    try final.append(result.x)
                    settings.progress?(.frame(sampler: name, steps: n, frame: k + 1, frames: points))
                }
                let run = final.run(), frames = run.samples.scalars
                strips.append(run)
                if case .noise = endpoints {} else {
                    // How well the strip's ends reproduce the two images.
                    let size = pair.count / 2
                    let ends = HostTensor(shape: pair.shape, scalars: Array(frames.prefix(size)) + Array(frames.suffix(size)))
                    let mse = ImageMetrics.meanSquaredError(ends.scalars, pair.scalars)
                    records.append(MetricRecord(experiment: "interpolation", model: model.name, sampler: name, steps: n,
                                                metric: "mse", value: mse, count: 2))
                }
            }
        }
        try FiniteResults.check(records)
        return Output(endpoints: pair, strips: strips, records: records)
    }
}
