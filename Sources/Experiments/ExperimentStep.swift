/// Where a running experiment is, as a value: a sampler's chain at a step, a frame of an interpolation strip,
/// or the exact ODE solve of a convergence study. Front ends print `description`; drivers read the fields.
public enum ExperimentStep: Sendable, Equatable, CustomStringConvertible {
    /// A sampler's chain over the batch `items` (indices within the run), `done` of `total` steps.
    case chain(sampler: String, steps: Int, items: Range<Int>?, phase: ChainPhase, done: Int, total: Int)
    /// Frame `frame` (from 1) of `frames` of an interpolation strip sampled back.
    case frame(sampler: String, steps: Int, frame: Int, frames: Int)
    /// The exact probability-flow ODE solution between two ᾱ values is being computed.
    case exactSolution(from: Double, to: Double)

    /// What a chain is doing.
    public enum ChainPhase: String, Sendable, Equatable {
        case sampling, inversion, reconstruction, edit
    }

    public var description: String {
        switch self {
        case let .chain(sampler, steps, items, phase, done, total):
            var label = "\(sampler) \(steps) steps"
            if let items {
                label += phase == .sampling ? ", samples " : ", images "
                label += "\(items.lowerBound)–\(items.upperBound - 1)"
            }
            if phase != .sampling { label += ", \(phase.rawValue)" }
            return "\(label): step \(done)/\(total)"
        case let .frame(sampler, steps, frame, frames):
            return "\(sampler) \(steps) steps: frame \(frame)/\(frames)"
        case let .exactSolution(from, to):
            return "exact ODE solution from ᾱ = \(from) to \(to)"
        }
    }
}
