import Compute
import Experiments
import Foundation
import Testing
@testable import Experiments

/// The reference runner's figures and records for the kinds the site build tests do not run.
@Suite struct ReferenceRunnerTests {
    func withTinySet(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-tiny-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SiteBuildTests.Fixture.writeTinySet(to: folder)
        try body("gmm:" + folder.path)
    }

    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [ExperimentProgress] = []
        func add(_ event: ExperimentProgress) { lock.lock(); list.append(event); lock.unlock() }
        var all: [ExperimentProgress] { lock.lock(); defer { lock.unlock() }; return list }
    }

    @Test func interpolationStripsEndOnTheImagesForExactSamplers() throws {
        try withTinySet { model in
            let request = ExperimentRequest(name: "morph", kind: .interpolation, model: model, samplers: [.ddim, .belm],
                                            steps: [5], seeds: [0, 1], count: 2, frames: 4)
            let events = Events()
            let result = try ReferenceExperimentRunner().run(request, backend: CPUBackend()) { events.add($0) }
            let figure = try #require(result.figures.first)
            #expect(figure.columns == ["t = 0", "t = 0.33", "t = 0.67", "t = 1"])
            #expect(figure.rows.map(\.label) == ["endpoints", "DDIM", "O-BELM"])
            #expect(figure.rows[1].cells.count == 4)
            let mse = Dictionary(uniqueKeysWithValues: result.records.filter { $0.metric == "mse" }.map { ($0.sampler, $0) })
            #expect(mse["belm"]!.value < mse["ddim"]!.value)
            #expect(mse["belm"]!.count == 4, "two seeds of two endpoints")
            #expect(result.records.allSatisfy { $0.experiment == "morph" && $0.model == model })
            #expect(events.all.last.map { $0.done == $0.total } == true)
        }
    }

    @Test func editingShowsSourceAndEditPerClassPair() throws {
        try withTinySet { model in
            let request = ExperimentRequest(name: "edits", kind: .editing, model: model, samplers: [.ddim, .belm], steps: [5],
                                            seeds: [0], count: 1, classes: [0, 1], targets: ["1", "0"], freezeStep: 1, guidance: 2)
            let result = try ReferenceExperimentRunner().run(request, backend: CPUBackend()) { _ in }
            #expect(result.figures.map(\.id) == ["edit-0-to-1", "edit-1-to-0"])
            #expect(result.figures[0].title == "disc → square.")
            let cell = result.figures[0].rows[0].cells[0]
            #expect(cell.compare && cell.images.map(\.label) == ["source (disc)", "edit (square)"])
            // One record per sampler, steps and metric: the two pairs are merged, counts added.
            let mse = result.records.filter { $0.metric == "mse" }
            #expect(mse.count == 2 && mse.allSatisfy { $0.count == 2 })
        }
    }

    @Test func diffusersFoldersAreRefusedBeforeAnythingRuns() {
        #expect(throws: ExperimentError.self) { try ReferenceExperimentRunner().modelDigest("/models/ddpm-cifar10-32") }
        #expect(throws: ExperimentError.self) { try ReferenceExperimentRunner().modelDigest("gmm:/no/such/folder") }
        #expect((try? ReferenceExperimentRunner().modelDigest("builtin:shapes")) == "builtin:shapes")
    }

    @Test func errorMapAmplificationIsThePowerOfTenThatShowsTheLargestError() {
        #expect(ReferenceExperimentRunner.amplification(forLargestError: 3e-3) == 1000)
        #expect(ReferenceExperimentRunner.amplification(forLargestError: 0.5) == 10)
        #expect(ReferenceExperimentRunner.amplification(forLargestError: 0) == 1_000_000)
    }
}
