import Experiments
import Foundation

/// What `belm plan` prints: per experiment, its work items cached and stale and the model evaluations the
/// stale ones take; the same counts read during a sharded run show how far the array has got.
public struct PlanReport: Sendable, Codable, Equatable {
    public struct Experiment: Sendable, Codable, Equatable {
        public var name: String
        public var kind: String
        public var items: Int
        public var cached: Int
        public var stale: Int
        /// Entries present but failing their check (counted in `stale`: they are recomputed).
        public var damaged: Int
        /// Network calls × samples the stale items take (an estimate: see `WorkItems.evaluations`).
        public var evaluationsLeft: Int
    }

    public var config: String
    public var cache: String
    public var experiments: [Experiment]
    public var items: Int
    public var cached: Int
    public var stale: Int
    public var evaluationsLeft: Int

    public init(plan: BuildPlan, config: String, cache: String) {
        self.config = config
        self.cache = cache
        experiments = plan.experiments.map { experiment in
            let damaged = experiment.items.filter { if case .damaged = $0.lookup { true } else { false } }.count
            return Experiment(name: experiment.spec.request.name, kind: experiment.spec.request.kind.rawValue, items: experiment.items.count,
                              cached: experiment.items.count - experiment.stale.count, stale: experiment.stale.count, damaged: damaged,
                              evaluationsLeft: experiment.evaluationsLeft)
        }
        items = experiments.map(\.items).reduce(0, +)
        cached = experiments.map(\.cached).reduce(0, +)
        stale = experiments.map(\.stale).reduce(0, +)
        evaluationsLeft = experiments.map(\.evaluationsLeft).reduce(0, +)
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// A table, one experiment a line, and the totals.
    public var text: String {
        let nameWidth = max(10, experiments.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, width - s.count))
            return right ? fill + s : s + fill
        }
        var lines = [pad("experiment", nameWidth) + "  " + pad("kind", 14) + pad("items", 8, right: true) + pad("cached", 8, right: true)
                     + pad("stale", 8, right: true) + pad("evaluations left", 18, right: true)]
        for e in experiments {
            lines.append(pad(e.name, nameWidth) + "  " + pad(e.kind, 14) + pad(String(e.items), 8, right: true) + pad(String(e.cached), 8, right: true)
                         + pad(String(e.stale), 8, right: true) + pad(String(e.evaluationsLeft), 18, right: true)
                         + (e.damaged > 0 ? "  (\(e.damaged) damaged, recomputed)" : ""))
        }
        let percent = items == 0 ? 100 : 100 * cached / items
        lines.append("\(cached) of \(items) items done (\(percent)%); \(stale) stale, \(evaluationsLeft) model evaluations left (network calls × samples, estimated)")
        return lines.joined(separator: "\n").escapingControlCharacters + "\n"
    }
}
