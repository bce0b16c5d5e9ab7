import Compute
import Diffusion
import Models
import Tensors

/// Reconstruction: invert real images to noise with each sampler, sample back, and measure how far the
/// result is from the image (MSE and PSNR on [-1, 1], SSIM). Exact samplers come back to float32 round-off.
public struct ReconstructionExperiment {
    public var settings: RunSettings

    public init(settings: RunSettings) { self.settings = settings }

    public struct Output {
        public var originals: HostTensor
        /// The inverted noise x_T and the reconstruction of each run.
        public var inverted: [SamplerRun]
        public var reconstructions: [SamplerRun]
        public var records: [MetricRecord]
    }

    public func run(_ model: ExperimentModel, backend: any Backend) throws -> Output {
        try settings.validate()
        let originals = try model.evenlySpacedImages(count: settings.count).images
        var inverted: [SamplerRun] = [], reconstructions: [SamplerRun] = [], records: [MetricRecord] = []
        for choice in settings.samplers {
            let sampler = try settings.sampler.sampler(choice)
            let name = settings.sampler.recordName(choice)
            for n in settings.steps {
                let grid = try settings.grid(model.schedule, steps: n)
                let counter = CountingNoisePredictor(model.predictor)
                var noise: [Float] = [], back: [Float] = []
                let batches = Batches.ranges(count: settings.count, size: settings.batchSize)
                for range in batches {
                    let x0 = backend.tensor(slice(originals, range))
                    let label = "\(name) \(n) steps, images \(range.lowerBound)–\(range.upperBound - 1)"
                    let xT = try sampler.invert(.data(x0, grid: grid), grid: grid, stoppingAt: 0, model: counter,
                                                conditioning: .unconditional, progress: settings.stepProgress("\(label), inversion"))
                    let result = try sampler.sample(from: xT, grid: grid, model: counter, conditioning: .unconditional,
                                                    progress: settings.stepProgress("\(label), reconstruction"))
                    noise += xT.x.values()
                    back += result.x.values()
                }
                let rebuilt = HostTensor(shape: originals.shape, scalars: back)
                inverted.append(SamplerRun(sampler: name, steps: n, samples: HostTensor(shape: originals.shape, scalars: noise)))
                reconstructions.append(SamplerRun(sampler: name, steps: n, samples: rebuilt))
                let scores = ImageScores.compare(PlanarImage.batch(originals), PlanarImage.batch(rebuilt))
                func record(_ metric: String, _ value: Double) {
                    records.append(MetricRecord(experiment: "reconstruction", model: model.name, sampler: name, steps: n,
                                                metric: metric, value: value, count: settings.count))
                }
                record("mse", scores.mse)
                record("psnr", scores.psnr)
                record("ssim", scores.ssim)
                record("nfe", Double(counter.evaluations) / Double(batches.count))
            }
        }
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
