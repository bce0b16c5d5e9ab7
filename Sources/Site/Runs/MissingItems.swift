import Experiments

/// `belm build --cached-only` with items not in the cache: what is missing, per experiment, and the
/// commands that compute it. Nothing was written.
public struct MissingItems: Error, CustomStringConvertible {
    public let config: String
    public let cache: String
    /// The backend the items are keyed under, which the commands must name.
    public let backend: String
    /// (experiment, its missing items, why each is missing).
    public let missing: [(experiment: String, items: [(label: String, reason: String)])]

    /// How many items a list shows per experiment before it says "and N more".
    static let shownPerExperiment = 10

    init(plan: BuildPlan, config: String, cache: String, backend: String) {
        self.config = config
        self.cache = cache
        self.backend = backend
        missing = plan.experiments.compactMap { experiment in
            let stale = experiment.stale
            guard !stale.isEmpty else { return nil }
            return (experiment.spec.request.name, stale.map { planned in
                var reason = "not computed"
                if case let .damaged(_, why) = planned.lookup { reason = "damaged: \(why)" }
                return (planned.item.label, reason)
            })
        }
    }

    public var description: String {
        let total = missing.map(\.items.count).reduce(0, +)
        var text = "\(config): error: \(total) work item\(total == 1 ? " is" : "s are") not in the cache \(cache), so no site was written (the previous site is unchanged):\n"
        for (experiment, items) in missing {
            text += "  \(experiment): \(items.count) missing\n"
            for item in items.prefix(Self.shownPerExperiment) { text += "    \(item.label) (\(item.reason))\n" }
            if items.count > Self.shownPerExperiment { text += "    and \(items.count - Self.shownPerExperiment) more\n" }
        }
        let common = "--config \(BuildCommandText.quoted(config)) --cache \(BuildCommandText.quoted(cache)) --backend \(backend)"
        text += "compute them with `belm build \(common)` (then the site is written too), or share them over N tasks with `belm build \(common) --shard I/N` for I = 0 … N−1 and run this again"
        return text
    }
}

/// Command lines that errors and pages print for the user to run.
public enum BuildCommandText {
    /// `text` as one shell word.
    public static func quoted(_ text: String) -> String {
        text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:@".contains($0) }) ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
