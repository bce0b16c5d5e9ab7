import Compute
import Diffusion
import Models
import Tensors

/// Reconstruction: invert real images to noise with each sampler, sample back, and measure how far the
/// result is from the image (MSE and PSNR on [-1, 1], SSIM). Exact samplers come back to float32 round-off.
public struct ReconstructionExperiment {
    public var settings: RunSettings
    /// Images [N, C, H, W] at the model's image shape to invert in place of the model's own set (`--image`);
    /// their count replaces `settings.count`.
    public var images: HostTensor?
    /// What inversion and reconstruction are conditioned on (a class, a prompt; unconditional by default).
    public var condition: ExperimentCondition

    public init(settings: RunSettings, images: HostTensor? = nil, condition: ExperimentCondition = .unconditional) {
        self.settings = settings
        self.images = images
        self.condition = condition
    }

    public struct Output {
        public var originals: HostTensor
        /// The inverted noise x_T (latents for latent models) and the reconstructed images of each run.
        public var inverted: [SamplerRun]
        public var reconstructions: [SamplerRun]
        public var records: [MetricRecord]
    }

    /// For pixel models `mse`, `psnr` and `ssim` compare the reconstruction with the image. For latent models
    /// `mse` is on the latents (where the samplers' exactness shows), `mse_pixel`, `psnr` and `ssim` compare
    /// the decoded reconstruction with the image (which adds the VAE's own round-trip error).
    public func run(_ model: ExperimentModel, backend: any Backend) throws -> Output {
        var settings = settings
        if let images { settings.count = images.shape[0] }
        try settings.validate(inverting: true)
        let originals = try images ?? model.evenlySpacedImages(count: settings.count).images
        let batches = Batches.ranges(count: settings.count, size: settings.batchSize)
        // The starting states, encoded once and kept on the backend.
        let starts = try batches.map { try model.encode(slice(originals, $0), backend: backend) }
        let conditionings = try batches.map { try model.conditioning(Array(repeating: condition, count: $0.count)) }
        let startValues = starts.flatMap { $0.values() }
        var inverted: [SamplerRun] = [], reconstructions: [SamplerRun] = [], records: [MetricRecord] = []
        for choice in settings.samplers {
            let sampler = try settings.sampler.sampler(choice)
            let name = settings.sampler.recordName(choice)
            for n in settings.steps {
                let grid = try settings.grid(model.schedule, steps: n)
                let counter = CountingNoisePredictor(model.predictor)
                var noise: [Float] = []
                var back = FinalStates(model: model, experiment: "reconstruction", sampler: name, steps: n)
                for (b, range) in batches.enumerated() {
                    let xT = try sampler.invert(.data(starts[b], grid: grid), grid: grid, stoppingAt: 0, model: counter,
                                                conditioning: conditionings[b], progress: settings.stepProgress(sampler: name, steps: n, items: range, phase: .inversion))
                    let result = try sampler.sample(from: xT, grid: grid, model: counter, conditioning: conditionings[b],
                                                    progress: settings.stepProgress(sampler: name, steps: n, items: range, phase: .reconstruction))
                    let inverted = xT.x.values()
                    try FiniteResults.check(inverted, "inverted noise", experiment: "reconstruction", sampler: name, steps: n)
                    noise += inverted
                    try back.append(result.x)
                }
                let stateShape = [settings.count] + model.sampleShape
                let run = back.run(), rebuilt = run.samples
                inverted.append(SamplerRun(sampler: name, steps: n, samples: HostTensor(shape: stateShape, scalars: noise)))
                reconstructions.append(run)
                let scores = ImageScores.compare(PlanarImage.batch(originals), PlanarImage.batch(rebuilt))
                func record(_ metric: String, _ value: Double) {
                    records.append(MetricRecord(experiment: "reconstruction", model: model.name, sampler: name, steps: n,
                                                metric: metric, value: value, count: settings.count))
                }
                if model.isLatent {
                    record("mse", ImageMetrics.meanSquaredError(back.stateTensor.scalars, startValues))
                    record("mse_pixel", scores.mse)
                } else {
                    record("mse", scores.mse)
                }
                record("psnr", scores.psnr)
                record("ssim", scores.ssim)
                record("nfe", Double(counter.evaluations) / Double(batches.count))
            }
        }
        try FiniteResults.check(records)
        return Output(originals: originals, inverted: inverted, reconstructions: reconstructions, records: records)
    }
}

/// Mean MSE, PSNR and SSIM of image pairs. PSNR is averaged per image, with each image's MSE floored at
/// 1e-30 (PSNR ≤ 306 dB) so that a bit-exact reconstruction still gives a finite, JSON-writable number.
public enum ImageScores {
    public static func compare(_ a: [PlanarImage], _ b: [PlanarImage]) -> (mse: Double, psnr: Double, ssim: Double) {
        precondition(a.count == b.count && !a.isEmpty)
        var mse = 0.0, psnr = 0.0, ssim = 0.0
        for (x, y) in zip(a, b) {
            let e = ImageMetrics.meanSquaredError(x, y)
            mse += e
            psnr += ImageMetrics.peakSignalToNoiseRatio(meanSquaredError: max(e, 1e-30))
            ssim += StructuralSimilarity.ssim(x, y)
        }
        let n = Double(a.count)
        return (mse / n, psnr / n, ssim / n)
    }
}
