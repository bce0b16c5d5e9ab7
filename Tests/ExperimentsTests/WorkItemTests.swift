import Compute
import Foundation
import Models
import Testing
@testable import Experiments

/// Work items: a sample depends on its global index alone, and per-item sums merge into the cell's mean.
@Suite struct WorkItemTests {
    @Test func aSampleIsTheSameWhateverItemAndBatchItIsComputedIn() throws {
        let model = ExperimentTests.model()
        func samples(first: Int, count: Int, batchSize: Int) throws -> [Float] {
            var experiment = SamplingExperiment(settings: RunSettings(samplers: [.belm], steps: [3], seed: 4, count: count, batchSize: batchSize),
                                                classes: [0, 1, 2])
            experiment.firstIndex = first
            return try experiment.run(model, backend: CPUBackend()).runs[0].samples.scalars
        }
        let whole = try samples(first: 0, count: 5, batchSize: 5)
        let size = whole.count / 5
        // Samples 3 and 4 as an item of their own, one at a time: the same bits, classes cycled by global index.
        #expect(try samples(first: 3, count: 2, batchSize: 1) == Array(whole[(3 * size)...]))
    }

    @Test func itemsSplitCellsIntoFixedRangesAndSumsMergeInOrder() throws {
        let request = ExperimentRequest(name: "s", kind: .sampling, model: "builtin:shapes", samplers: [.ddim, .edict], steps: [10],
                                        seeds: [0], count: 130)
        let items = WorkItems.plan(request)
        let ranges = items.compactMap { item -> Range<Int>? in if case .cell(let cell) = item.scope { cell.indices } else { nil } }
        #expect(ranges == [0..<64, 64..<128, 128..<130, 0..<64, 64..<128, 128..<130])
        #expect(items.map(\.cost) == [640, 640, 20, 1280, 1280, 40])
        // Kinds that do not split by index: one item per sampler, step count and seed, over every image.
        #expect(WorkItems.plan(ExperimentRequest(name: "c", kind: .convergence, model: "builtin:shapes", samplers: [.ddim], steps: [4, 8], seeds: [0], count: 3))
            .map(\.scope) == [.cell(CellItem(sampler: .ddim, steps: 4, seed: 0, first: 0, count: 3)), .cell(CellItem(sampler: .ddim, steps: 8, seed: 0, first: 0, count: 3))])

        var total = CellStatistics(means: ["mse": MeanSum(n: 64, sum: 3)])
        try total.merge(CellStatistics(means: ["mse": MeanSum(n: 2, sum: 0.5), "nfe": MeanSum(n: 2, sum: 20)]))
        #expect(total.means["mse"] == MeanSum(n: 66, sum: 3.5))
        #expect(total.means["nfe"]?.mean == 10)
    }
}

/// Progress is a value: drivers read its fields, front ends print its description (no text is parsed back).
@Suite struct ExperimentStepTests {
    final class Steps: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [ExperimentStep] = []
        func add(_ step: ExperimentStep) { lock.lock(); list.append(step); lock.unlock() }
        var all: [ExperimentStep] { lock.lock(); defer { lock.unlock() }; return list }
    }

    @Test func reconstructionReportsTypedChainSteps() throws {
        let steps = Steps()
        let settings = RunSettings(samplers: [.belm], steps: [10], count: 2, batchSize: 2, progress: { steps.add($0) })
        let model = ExperimentTests.model()
        _ = try ReconstructionExperiment(settings: settings, images: try model.evenlySpacedImages(count: 2).images).run(model, backend: CPUBackend())
        #expect(steps.all.contains(.chain(sampler: "belm", steps: 10, items: 0..<2, phase: .inversion, done: 10, total: 10)))
        #expect(steps.all.contains(.chain(sampler: "belm", steps: 10, items: 0..<2, phase: .reconstruction, done: 9, total: 9)), "O-BELM samples back from its two stored states")
        #expect(ExperimentStep.chain(sampler: "belm", steps: 10, items: 0..<2, phase: .inversion, done: 10, total: 10).description
            == "belm 10 steps, images 0–1, inversion: step 10/10")
        #expect(ExperimentStep.chain(sampler: "ddim", steps: 20, items: 0..<8, phase: .sampling, done: 3, total: 20).description
            == "ddim 20 steps, samples 0–7: step 3/20")
        #expect(ExperimentStep.frame(sampler: "edict", steps: 5, frame: 2, frames: 7).description == "edict 5 steps: frame 2/7")
    }

    /// The sweep reports item by item, in model evaluations, and ends at its total.
    @Test func theSweepCountsItemCostsToItsTotal() throws {
        let request = ExperimentRequest(name: "samples", kind: .sampling, model: "builtin:shapes", samplers: [.ddim, .belm], steps: [2, 10],
                                        seeds: [0], count: 2)
        let items = WorkItems.plan(request)
        final class Events: @unchecked Sendable {
            private let lock = NSLock()
            private var list: [ExperimentProgress] = []
            func add(_ event: ExperimentProgress) { lock.lock(); list.append(event); lock.unlock() }
            var all: [ExperimentProgress] { lock.lock(); defer { lock.unlock() }; return list }
        }
        let events = Events()
        var finished: [WorkItem] = []
        try ExperimentSweep(request: request, batchSize: 1, locator: .standard, backend: CPUBackend())
            .run(items, progress: { events.add($0) }) { item, _ in finished.append(item) }
        #expect(finished == items)
        let total = items.map(\.cost).reduce(0, +)
        #expect(events.all.allSatisfy { $0.total == total && $0.done <= total })
        #expect(events.all.map(\.done) == events.all.map(\.done).sorted(), "done never goes back")
        #expect(events.all.last?.done == total && events.all.contains { $0.stage == "ddim 10 steps, samples 1–1: step 10/10" }, "\(events.all.map(\.stage))")
    }
}
