import Compute
import Foundation
import Testing
@testable import Experiments
@testable import Site

/// `belm build` runs a Stable Diffusion XL folder through the same runner as Stable Diffusion 1.5: the tiny SDXL
/// fixture (Tests/ModelsTests/Fixtures/sdxl/pipeline) samples from prompts and inverts an `images:` folder.
@Suite struct SDXLRunnerTests {
    @Test func stableDiffusionXLRunsThroughTheRunner() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-sdxl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = ModelRunnerTests.classConditionalFixture.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sdxl/pipeline").path
        try SiteBuildTests.Fixture.writeTinySet(to: root.appendingPathComponent("set"))
        let runner = ModelExperimentRunner()
        let sampling = ExperimentRequest(name: "prompted", kind: .sampling, model: model, samplers: [.belm], steps: [2],
                                         seeds: [0], count: 2, prompts: ["a red disc", "a blue square"], guidance: 2)
        let cells = try #require(try runner.run(sampling, backend: CPUBackend()) { _ in }.figures(of: sampling).first?.rows.first?.cells)
        #expect(cells.count == 1 && cells[0].images.map(\.label) == ["a red disc", "a blue square"])
        #expect(cells[0].images[0].image.width == 16, "SDXL samples are decoded to pixels")
        let reconstruction = ExperimentRequest(name: "round-trip", kind: .reconstruction, model: model, samplers: [.ddim, .belm],
                                               steps: [2], seeds: [0], count: 1, prompts: ["a disc"],
                                               images: root.appendingPathComponent("set/disc").path)
        let records = try runner.run(reconstruction, backend: CPUBackend()) { _ in }.records
        let latent = Dictionary(uniqueKeysWithValues: records.filter { $0.metric == "mse" }.map { ($0.sampler, $0.value) })
        #expect(latent["belm"]! < 1e-8 && latent["ddim"]! > latent["belm"]!, "\(latent)")
    }
}
