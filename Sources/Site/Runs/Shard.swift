import Foundation

/// Share `index` of `count` of a site's work items: what one task of a Slurm job array or a Kubernetes
/// Indexed Job computes. Every task plans the same items and splits *all* of them (cached or not) the same
/// way, so the split does not move when other tasks finish first; each task then computes the stale items
/// of its share.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ShardError("the shard count must be at least 1, got \(count)") }
        guard (0..<count).contains(index) else { throw ShardError("shard \(index) of \(count) does not exist; shards are numbered 0 to \(count - 1)") }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// `I/N`, as `--shard` takes it.
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError("'\(text)' is not a shard; write I/N with 0 ≤ I < N (e.g. 3/8), or auto")
        }
        return try Shard(index: index, count: count)
    }

    /// The shard a scheduler gave this task, and which variables said so: Slurm's `SLURM_ARRAY_TASK_ID` and
    /// `SLURM_ARRAY_TASK_COUNT`, else Kubernetes' `JOB_COMPLETION_INDEX` with `BELM_SHARDS` (a Job's
    /// completion count is not passed to its pods).
    public static func fromScheduler(_ environment: [String: String]) throws -> (shard: Shard, source: String) {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else { throw ShardError("\(name)='\(text)' is not a whole number") }
            return value
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            guard let count = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw ShardError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; submit with sbatch --array=0-N (Slurm 18.08 or newer), or pass --shard I/N")
            }
            // An array given as --array=1-8 numbers its tasks from 1; the shard is the task's place in the array.
            let minimum = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            return (try Shard(index: id - minimum, count: count), "SLURM_ARRAY_TASK_ID=\(id), SLURM_ARRAY_TASK_MIN=\(minimum), SLURM_ARRAY_TASK_COUNT=\(count)")
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let count = try number("BELM_SHARDS") else {
                throw ShardError("JOB_COMPLETION_INDEX is set but BELM_SHARDS is not; set BELM_SHARDS to the Job's completions in the pod's env, or pass --shard I/N")
            }
            return (try Shard(index: index, count: count), "JOB_COMPLETION_INDEX=\(index), BELM_SHARDS=\(count)")
        }
        throw ShardError("--shard auto found neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); pass --shard I/N")
    }

    /// The items of this shard, balanced by cost: the most expensive first, each to the shard with the least
    /// work so far (ties to the lower shard, equal costs in key order), so every task computes the same split.
    public func share(of items: [PlannedItem]) -> [PlannedItem] {
        let ordered = items.sorted { ($0.item.cost, $1.key) > ($1.item.cost, $0.key) }
        var loads = [Int](repeating: 0, count: count)
        var mine: Set<String> = []
        for planned in ordered {
            let lightest = loads.indices.min { (loads[$0], $0) < (loads[$1], $1) }!
            loads[lightest] += planned.item.cost
            if lightest == index { mine.insert(planned.key) }
        }
        return items.filter { mine.contains($0.key) }
    }
}

public struct ShardError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
