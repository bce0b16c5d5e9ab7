import Experiments
import Testing
@testable import Site

/// `--shard`: its parsing, the scheduler variables `auto` reads, and a split that covers every item once.
@Suite struct ShardTests {
    @Test func shardsAreParsedAndRefusedWithTheirRange() throws {
        #expect(try Shard.parse("2/5") == Shard(index: 2, count: 5))
        for bad in ["5/5", "-1/4", "1/0", "3", "a/b", "1/2/3", ""] {
            #expect(throws: ShardError.self, "\(bad)") { try Shard.parse(bad) }
        }
    }

    @Test func autoReadsSlurmThenKubernetesAndSaysWhich() throws {
        let slurm = try Shard.fromScheduler(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "8", "JOB_COMPLETION_INDEX": "1", "BELM_SHARDS": "2"])
        #expect(slurm.shard == (try Shard(index: 7, count: 8)))
        #expect(slurm.source.contains("SLURM_ARRAY_TASK_ID=7"))
        // An array numbered from 1 (--array=1-4): the shard is the task's place.
        #expect(try Shard.fromScheduler(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"]).shard == Shard(index: 3, count: 4))
        let kubernetes = try Shard.fromScheduler(["JOB_COMPLETION_INDEX": "2", "BELM_SHARDS": "3"])
        #expect(kubernetes.shard == (try Shard(index: 2, count: 3)))
        #expect(kubernetes.source == "JOB_COMPLETION_INDEX=2, BELM_SHARDS=3")
        #expect { try Shard.fromScheduler([:]) } throws: { "\($0)".contains("pass --shard I/N") }
        #expect { try Shard.fromScheduler(["JOB_COMPLETION_INDEX": "2"]) } throws: { "\($0)".contains("BELM_SHARDS") }
        #expect { try Shard.fromScheduler(["SLURM_ARRAY_TASK_ID": "2"]) } throws: { "\($0)".contains("SLURM_ARRAY_TASK_COUNT") }
        #expect { try Shard.fromScheduler(["JOB_COMPLETION_INDEX": "2", "BELM_SHARDS": "2"]) } throws: { "\($0)".contains("numbered 0 to 1") }
    }

    @Test func sharesCoverEveryItemOnceAndBalanceTheirCost() throws {
        let request = ExperimentRequest(name: "s", kind: .sampling, model: "builtin:shapes", samplers: [.ddim, .edict], steps: [10, 50],
                                        seeds: [0, 1], count: 1000)
        let items = WorkItems.plan(request).enumerated().map { PlannedItem(item: $1, key: String($0), lookup: .missing) }
        for count in [1, 3, 7] {
            let shares = try (0..<count).map { try Shard(index: $0, count: count).share(of: items) }
            #expect(shares.flatMap { $0.map(\.key) }.sorted() == items.map(\.key).sorted())
            let costs = shares.map { $0.map(\.item.cost).reduce(0, +) }
            let largest = items.map(\.item.cost).max()!
            #expect(costs.max()! - costs.min()! <= largest, "\(costs)")
        }
    }
}
