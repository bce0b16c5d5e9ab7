import Diffusion
import Dispatch
import Foundation
import Tensors

/// Which noise prediction drives the probability-flow ODE.
public enum MixtureNoiseField: Sendable, Equatable {
    case unconditional
    case classConditional(Int)
    /// Classifier-free guidance: ε_u + scale (ε_c − ε_u).
    case guided(classLabel: Int, scale: Double)
}

/// The exact solution of the reference model's probability-flow ODE, for `ode_error`: how far a sampler's
/// result is from where the ODE it discretises really goes.
///
/// In the scaled variables x̄ = x/α, σ̄ = σ/α the ODE is d x̄/dσ̄ = ε*(α x̄, ᾱ) with ᾱ = 1/(1 + σ̄²) (the BELM
/// paper's eq. 6). It is integrated in Double on the host with the Dormand–Prince 5(4) pair and adaptive steps
/// (error per step below `absoluteTolerance + relativeTolerance·|x̄|` in RMS), from any ᾱ to any other, so
/// both sampling (towards ᾱ = 1) and inversion (away from it) have a reference.
public struct ProbabilityFlowODESolver: Sendable {
    public let density: GaussianMixtureDensity
    public var relativeTolerance: Double
    public var absoluteTolerance: Double
    /// A solve that needs more steps than this stops with a precondition failure rather than spinning.
    public var maximumSteps = 1_000_000

    public init(density: GaussianMixtureDensity, relativeTolerance: Double = 1e-10, absoluteTolerance: Double = 1e-10) {
        self.density = density
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
    }

    public struct Solution: Sendable {
        /// The state at the end, in the unscaled variable x (= α x̄).
        public var x: [Double]
        public var acceptedSteps: Int
        public var rejectedSteps: Int
        public var evaluations: Int
    }

    /// σ̄ = √((1 − ᾱ)/ᾱ).
    public static func scaledSigma(alphaCumprod: Double) -> Double { ((1 - alphaCumprod) / alphaCumprod).squareRoot() }

    /// ε*(α x̄, ᾱ(σ̄)) for the chosen field.
    public func velocity(_ xBar: [Double], scaledSigma: Double, field: MixtureNoiseField) -> [Double] {
        let alphaCumprod = 1 / (1 + scaledSigma * scaledSigma)
        let alpha = alphaCumprod.squareRoot()
        let x = xBar.map { alpha * $0 }
        switch field {
        case .unconditional:
            return density.noisePrediction(x, alphaCumprod: alphaCumprod)
        case .classConditional(let label):
            return density.noisePrediction(x, alphaCumprod: alphaCumprod, classLabel: label)
        case .guided(let label, let scale):
            let unconditional = density.noisePrediction(x, alphaCumprod: alphaCumprod)
            let conditional = density.noisePrediction(x, alphaCumprod: alphaCumprod, classLabel: label)
            return zip(unconditional, conditional).map { $0 + scale * ($1 - $0) }
        }
    }

    /// Carries x from noise level ᾱ_start to ᾱ_end (either direction; ᾱ = 1 is the data end).
    public func solve(_ x: [Double], fromAlphaCumprod start: Double, toAlphaCumprod end: Double,
                      field: MixtureNoiseField = .unconditional) -> Solution {
        precondition(start > 0 && start <= 1 && end > 0 && end <= 1, "ᾱ must be in (0, 1], got \(start) → \(end)")
        precondition(x.count == density.dimension, "the mixture works on \(density.dimension) values per sample, got \(x.count)")
        let s0 = Self.scaledSigma(alphaCumprod: start), s1 = Self.scaledSigma(alphaCumprod: end)
        var y = x.map { $0 / start.squareRoot() }
        var solution = Solution(x: x, acceptedSteps: 0, rejectedSteps: 0, evaluations: 0)
        guard s0 != s1 else { return solution }

        let direction: Double = s1 > s0 ? 1 : -1
        let span = abs(s1 - s0)
        var s = s0
        var h = min(span, 1e-3 * max(span, 1))
        var k1 = velocity(y, scaledSigma: s, field: field)
        solution.evaluations += 1
        while direction * (s1 - s) > 0 {
            precondition(solution.acceptedSteps + solution.rejectedSteps < maximumSteps,
                         "the exact ODE solve took over \(maximumSteps) steps; loosen the tolerance")
            let lastStep = h >= abs(s1 - s)
            if lastStep { h = abs(s1 - s) }
            let step = direction * h
            let stage = DormandPrince.step(y, s, step, k1) { velocity($0, scaledSigma: $1, field: field) }
            solution.evaluations += 6
            var errorNorm = 0.0
            for i in y.indices {
                let scale = absoluteTolerance + relativeTolerance * max(abs(y[i]), abs(stage.y[i]))
                let e = stage.error[i] / scale
                errorNorm += e * e
            }
            errorNorm = (errorNorm / Double(y.count)).squareRoot()
            if errorNorm <= 1 {
                s = lastStep ? s1 : s + step
                y = stage.y
                k1 = stage.lastSlope
                solution.acceptedSteps += 1
            } else {
                solution.rejectedSteps += 1
            }
            let factor = errorNorm == 0 ? 5 : min(5, max(0.2, 0.9 * Foundation.pow(errorNorm, -0.2)))
            h *= factor
        }
        let alphaEnd = end.squareRoot()
        solution.x = y.map { alphaEnd * $0 }
        return solution
    }

    /// The batch form: x [B, C, H, W] → the exact ODE end states, one independent solve per sample.
    /// `conditioning` picks each sample's class (`.classes`) and `guidance` turns that into the guided field.
    public func solve(_ batch: HostTensor, fromAlphaCumprod start: Double, toAlphaCumprod end: Double,
                      conditioning: Conditioning = .unconditional, guidance: Double? = nil) -> HostTensor {
        let count = batch.shape.first ?? 0, d = density.dimension
        precondition(batch.count == count * d, "the reference model takes [B, \(density.images.imageShape)], got \(batch.shape)")
        var fields: [MixtureNoiseField] = []
        for b in 0..<count {
            let field: MixtureNoiseField
            switch conditioning {
            case .unconditional:
                field = .unconditional
            case .classes(let labels):
                precondition(labels.count == count, "\(labels.count) class labels for a batch of \(count)")
                field = guidance.map { .guided(classLabel: labels[b], scale: $0) } ?? .classConditional(labels[b])
            case .text, .textAndAdded:
                preconditionFailure("the reference model is conditioned on class labels, not text")
            }
            fields.append(field)
        }
        // Samples are independent solves: spread them over the cores.
        let sampleFields = fields
        var out = [Float](repeating: 0, count: batch.count)
        out.withUnsafeMutableBufferPointer { out in
            let destination = SendableBuffer(base: out.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: count) { b in
                let x = batch.scalars[(b * d)..<((b + 1) * d)].map(Double.init)
                let solution = solve(x, fromAlphaCumprod: start, toAlphaCumprod: end, field: sampleFields[b]).x
                for i in 0..<d { destination.base[b * d + i] = Float(solution[i]) }
            }
        }
        return HostTensor(shape: batch.shape, scalars: out)
    }
}

/// Disjoint slices of one output buffer, written from concurrent iterations.
private struct SendableBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
}

/// One Dormand–Prince 5(4) step (the pair behind MATLAB's ode45 and scipy's RK45), advancing with the
/// fifth-order solution and reporting the difference to the embedded fourth-order one as the error estimate.
enum DormandPrince {
    struct Stage {
        var y: [Double]
        var error: [Double]
        /// f at the new point: the next step's first slope (first same as last).
        var lastSlope: [Double]
    }

    static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    static let a: [[Double]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    /// Fifth-order weights minus fourth-order weights.
    static let errorWeights: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]

    static func step(_ y: [Double], _ t: Double, _ h: Double, _ k1: [Double], _ f: ([Double], Double) -> [Double]) -> Stage {
        var slopes = [k1]
        for stage in 1..<7 {
            var point = y
            for (j, weight) in a[stage].enumerated() where weight != 0 {
                let slope = slopes[j], scaled = h * weight
                for i in point.indices { point[i] += scaled * slope[i] }
            }
            // The seventh point is the fifth-order solution itself.
            if stage == 6 {
                let last = f(point, t + h)
                var error = [Double](repeating: 0, count: y.count)
                for (j, weight) in errorWeights.enumerated() where weight != 0 {
                    let slope = j == 6 ? last : slopes[j]
                    for i in error.indices { error[i] += h * weight * slope[i] }
                }
                return Stage(y: point, error: error, lastSlope: last)
            }
            slopes.append(f(point, t + c[stage] * h))
        }
        preconditionFailure("unreachable")
    }
}
