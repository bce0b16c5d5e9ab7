import ArgumentParser
import Experiments
import Foundation
import Testing
@testable import BELMCommands
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

    @Test func theBuildCommandTakesOneModeAndSaysWhereAutoFoundItsShard() throws {
        #expect(throws: (any Error).self) { try BuildCommand.parse(["--shard", "1/2", "--cached-only"]) }
        let auto = try BuildCommand.parse(["--shard", "auto", "--quiet"])
        #expect(try auto.mode(environment: ["JOB_COMPLETION_INDEX": "1", "BELM_SHARDS": "4"]) == .shard(Shard(index: 1, count: 4)))
        #expect(throws: ShardError.self) { try auto.mode(environment: [:]) }
        #expect(try BuildCommand.parse(["--shard", "0/3"]).mode(environment: [:]) == .shard(Shard(index: 0, count: 3)))
        #expect(try BuildCommand.parse([]).mode(environment: ["SLURM_ARRAY_TASK_ID": "1"]) == .full, "without --shard the scheduler's variables change nothing")
    }

    @Test func thePlanCountsItemsAndEvaluationsBeforeAndAfterABuild() throws {
        let fixture = try ShardedBuildTests.fixture(count: 5)
        defer { fixture.remove() }
        let config = try SiteConfigLoader.load(path: fixture.configPath, backends: ["cpu"])
        let cache = ResultCache(folder: fixture.cache)
        let before = PlanReport(plan: try BuildPlan.make(config: config, runner: ModelExperimentRunner(), backend: "cpu", cache: cache),
                                config: fixture.configPath, cache: fixture.cache.path)
        // 2 samplers × 2 step counts for sampling, 2 samplers × 1 for reconstruction, 1 interpolation.
        #expect(before.experiments.map(\.items) == [4, 2, 1])
        #expect(before.stale == 7 && before.cached == 0)
        // Sampling: (2 + 3) steps × 2 samplers × 5 samples; reconstruction: 2 × 2 steps × 2 samplers × 3 images.
        #expect(before.experiments[0].evaluationsLeft == 50)
        #expect(before.experiments[1].evaluationsLeft == 24)
        #expect(before.text.contains("0 of 7 items done (0%); 7 stale"))
        let decoded = try JSONDecoder().decode(PlanReport.self, from: Data(try before.json().utf8))
        #expect(decoded == before)

        try ShardedBuildTests.builder(fixture, batchSize: 8, cache: fixture.cache, output: fixture.output).build(.shard(Shard(index: 0, count: 2)))
        let during = PlanReport(plan: try BuildPlan.make(config: config, runner: ModelExperimentRunner(), backend: "cpu", cache: cache),
                                config: fixture.configPath, cache: fixture.cache.path)
        #expect(during.cached > 0 && during.stale > 0 && during.cached + during.stale == 7, "half an array's progress")
        try ShardedBuildTests.builder(fixture, batchSize: 8, cache: fixture.cache, output: fixture.output).build()
        let after = PlanReport(plan: try BuildPlan.make(config: config, runner: ModelExperimentRunner(), backend: "cpu", cache: cache),
                               config: fixture.configPath, cache: fixture.cache.path)
        #expect(after.stale == 0 && after.evaluationsLeft == 0 && after.cached == 7)
    }
}
