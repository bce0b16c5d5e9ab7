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
