import Compute
import Experiments
import Foundation

/// The runner the site tests build with: small real computations on the CPU backend, shaped like what
/// the experiments return (per-sampler, per-step records; galleries; round-trip triples), so that every
/// path of the site is exercised with numbers that were computed, not typed in. They are not diffusion
/// results: "ddim" here is a lossy round trip (2× average-pool then nearest upsampling, blended toward
/// the original as steps grow), the others an exact one (scaling by s then by 1/s, only rounding error),
/// and convergence integrates dx/dt = −x with explicit Euler ("ddim") and Heun (the others).
struct RoundTripProbeRunner: ExperimentRunner {
    var codeVersion = "probe-1"
    var supportedKinds: Set<ExperimentKind> = [.sampling, .reconstruction, .convergence]
    /// Counts runs, so tests can see that a cached build ran nothing.
    let runs = RunCounter()

    final class RunCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.lock(); value += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    }

    func modelDigest(_ model: String) throws -> String { "probe:" + model }

    func run(_ request: ExperimentRequest, backend: any Backend, progress: @escaping @Sendable (ExperimentProgress) -> Void) throws -> ExperimentResult {
        runs.increment()
        switch request.kind {
        case .reconstruction: return reconstruction(request, backend: backend, progress: progress)
        case .sampling: return sampling(request, backend: backend)
        case .convergence: return convergence(request)
        default: throw CocoaError(.featureUnsupported)
        }
    }

    static let size = 16

    /// A shape per class (disc, square, diamond, ring) in a colour drawn from the seed, CHW in [-1, 1].
    static func shape(class label: Int, seed: Int) -> [Float] {
        var rng = SplitMix(seed: UInt64(seed * 7919 + label))
        let color = (0..<3).map { _ in Float(rng.uniform() * 1.6 - 0.8) }
        let n = size, c = Float(n - 1) / 2
        var values = [Float](repeating: -0.9, count: 3 * n * n)
        for y in 0..<n {
            for x in 0..<n {
                let dx = Float(x) - c, dy = Float(y) - c, r = (dx * dx + dy * dy).squareRoot()
                let inside: Bool = switch label % 4 {
                case 0: r < 5.5
                case 1: abs(dx) < 5 && abs(dy) < 5
                case 2: abs(dx) + abs(dy) < 6.5
                default: r < 6.5 && r > 3.5
                }
                if inside { for ch in 0..<3 { values[ch * n * n + y * n + x] = color[ch] } }
            }
        }
        return values
    }

    func roundTrip(_ x: Tensor, sampler: SamplerChoice, steps: Int, backend: any Backend) -> Tensor {
        switch sampler {
        case .ddim:
            let coarse = backend.upsampleNearest2x(backend.avgPool2x(x))
            let keep = 1 - 1 / Double(steps).squareRoot()
            return backend.linearCombination([(x, keep), (coarse, 1 - keep)])
        default:
            let s = 1 + Double(steps) * 1e-3 + Double(SamplerChoice.allCases.firstIndex(of: sampler)!) * 0.37
            return backend.scaled(backend.scaled(x, by: s), by: 1 / s)
        }
    }

    func reconstruction(_ request: ExperimentRequest, backend: any Backend, progress: @escaping @Sendable (ExperimentProgress) -> Void) -> ExperimentResult {
        let n = Self.size
        var records: [MetricRecord] = []
        var rows: [ImageRow] = []
        let total = request.steps.count * request.samplers.count
        var done = 0
        for steps in request.steps {
            var cells: [ImageCell] = []
            for sampler in request.samplers {
                var squaredError = 0.0, count = 0
                var firstCell: ImageCell?
                for seed in request.seeds {
                    for item in 0..<request.count {
                        let original = Self.shape(class: item, seed: seed)
                        let x = backend.tensor(original, shape: [1, 3, n, n])
                        let back = roundTrip(x, sampler: sampler, steps: steps, backend: backend).values()
                        let mse = zip(original, back).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(original.count)
                        squaredError += mse
                        count += 1
                        if firstCell == nil {
                            let error = zip(original, back).map { min(1, abs($0 - $1) * 100) * 2 - 1 }
                            firstCell = ImageCell(images: [
                                LabeledImage(label: "original", image: RGBImage(chw: original, channels: 3, height: n, width: n)),
                                LabeledImage(label: "reconstruction", image: RGBImage(chw: back, channels: 3, height: n, width: n)),
                                LabeledImage(label: "error ×100", image: RGBImage(chw: error, channels: 3, height: n, width: n)),
                            ], compare: true)
                        }
                    }
                }
                let mse = squaredError / Double(count)
                records.append(MetricRecord(experiment: request.name, model: request.model, sampler: sampler.rawValue, steps: steps, metric: "mse", value: mse, count: count))
                records.append(MetricRecord(experiment: request.name, model: request.model, sampler: sampler.rawValue, steps: steps, metric: "psnr", value: mse > 0 ? 10 * log10(4 / mse) : 400, count: count))
                cells.append(firstCell!)
                done += 1
                progress(ExperimentProgress(experiment: request.name, stage: "\(sampler.rawValue) \(steps) steps", done: done, total: total))
            }
            rows.append(ImageRow(label: "\(steps) steps", cells: cells))
        }
        let figure = ImageFigure(id: "round-trip", title: "Round trips.", caption: "Original, reconstruction and amplified error.",
                                 columns: request.samplers.map(\.displayName), rows: rows)
        return ExperimentResult(records: records, figures: [figure], notes: ["Round trips of \(request.count) images per seed."])
    }

    func sampling(_ request: ExperimentRequest, backend: any Backend) -> ExperimentResult {
        let n = Self.size
        var rows: [ImageRow] = []
        for steps in request.steps {
            let cells = request.samplers.map { sampler in
                ImageCell(images: (request.classes.isEmpty ? [0] : request.classes).map { label in
                    let x = backend.tensor(Self.shape(class: label, seed: request.seeds[0]), shape: [1, 3, n, n])
                    let out = roundTrip(x, sampler: sampler, steps: steps, backend: backend).values()
                    return LabeledImage(label: "class \(label)", image: RGBImage(chw: out, channels: 3, height: n, width: n))
                })
            }
            rows.append(ImageRow(label: "\(steps) steps", cells: cells))
        }
        let records = request.samplers.flatMap { sampler in
            request.steps.map { MetricRecord(experiment: request.name, model: request.model, sampler: sampler.rawValue, steps: $0, metric: "nfe", value: Double($0), count: request.count) }
        }
        return ExperimentResult(records: records, figures: [ImageFigure(id: "samples", title: "Samples.", caption: "Same noise in every column.", columns: request.samplers.map(\.displayName), rows: rows)])
    }

    func convergence(_ request: ExperimentRequest) -> ExperimentResult {
        var records: [MetricRecord] = []
        for sampler in request.samplers {
            for steps in request.steps {
                let h = 1 / Double(steps)
                var x = 1.0
                for _ in 0..<steps { x = sampler == .ddim ? x - h * x : x + h / 2 * (-x - (x - h * x)) }
                records.append(MetricRecord(experiment: request.name, model: request.model, sampler: sampler.rawValue, steps: steps, metric: "ode_error", value: abs(x - exp(-1)), count: 1))
            }
        }
        return ExperimentResult(records: records, figures: [])
    }
}

/// SplitMix64, for reproducible test colours.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e3779b97f4a7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
