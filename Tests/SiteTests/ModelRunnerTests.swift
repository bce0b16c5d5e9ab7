import Compute
import Experiments
import Foundation
import Models
import Tensors
import Testing
@testable import Experiments
@testable import Site

/// The runner's figures and records for the kinds the site build tests do not run, on the reference model and
/// on diffusers models (builtin:shapes-unet, the tiny class-conditional fixture of Tests/ModelsTests/Fixtures).
@Suite struct ModelRunnerTests {
    static let classConditionalFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ModelsTests/Fixtures/unet2d/classcond")

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
            let result = try ModelExperimentRunner().run(request, backend: CPUBackend()) { events.add($0) }
            let figure = try #require(result.figures(of: request).first)
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
            let result = try ModelExperimentRunner().run(request, backend: CPUBackend()) { _ in }
            #expect(result.figures(of: request).map(\.id) == ["edit-0-to-1", "edit-1-to-0"])
            #expect(result.figures(of: request)[0].title == "disc → square.")
            let cell = result.figures(of: request)[0].rows[0].cells[0]
            #expect(cell.compare && cell.images.map(\.label) == ["source (disc)", "edit (square)"])
            // One record per sampler, steps and metric: the two pairs are merged, counts added.
            let mse = result.records.filter { $0.metric == "mse" }
            #expect(mse.count == 2 && mse.allSatisfy { $0.count == 2 })
        }
    }

    @Test func modelDigestsNameTheFilesOfFolderModels() throws {
        #expect(throws: ExperimentError.self) { try ModelExperimentRunner().modelDigest("/models/ddpm-cifar10-32", digests: FileDigests()) }
        #expect(throws: ExperimentError.self) { try ModelExperimentRunner().modelDigest("gmm:/no/such/folder", digests: FileDigests()) }
        #expect((try? ModelExperimentRunner().modelDigest("builtin:shapes", digests: FileDigests())) == "builtin:shapes")
        let folder = try BuiltinModelLocator.standard.folder(named: "shapes-unet")
        let unet = try ModelExperimentRunner().modelDigest("builtin:shapes-unet", digests: FileDigests())
        #expect(unet == (try ModelDigest.folder(folder.path, digests: FileDigests())) && unet != "builtin:shapes-unet")
        let fixture = try ModelExperimentRunner().modelDigest(Self.classConditionalFixture.path, digests: FileDigests())
        #expect(fixture == (try ModelDigest.folder(Self.classConditionalFixture.path, digests: FileDigests())) && fixture != unet)
    }

    /// builtin:shapes-unet inverts the built-in shapes it was trained on: exact samplers come back to round-off.
    @Test func shapesUNetReconstructsTheBuiltinSet() throws {
        let request = ExperimentRequest(name: "reconstruction-unet", kind: .reconstruction, model: "builtin:shapes-unet",
                                        samplers: [.ddim, .belm], steps: [2], seeds: [0], count: 1)
        let result = try ModelExperimentRunner().run(request, backend: CPUBackend()) { _ in }
        #expect(result.figures(of: request).map(\.id) == ["round-trip", "all-images"])
        let original = try #require(result.figures(of: request)[0].rows.first?.cells.first?.images.first)
        #expect(original.label == "original" && original.image.width == 32)
        let mse = Dictionary(uniqueKeysWithValues: result.records.filter { $0.metric == "mse" }.map { ($0.sampler, $0.value) })
        #expect(mse["belm"]! < 1e-8 && mse["ddim"]! > mse["belm"]!)
        #expect(result.records.allSatisfy { $0.experiment == "reconstruction-unet" && $0.model == "builtin:shapes-unet" })
    }

    /// A diffusers folder without an image set: inverting needs `images:`; prompts, and convergence, are refused
    /// with errors that say what to change.
    @Test func diffusersFoldersWithoutImagesOrPromptsGetClearErrors() throws {
        let model = Self.classConditionalFixture.path
        func message(_ request: ExperimentRequest) -> String {
            do {
                _ = try ModelExperimentRunner().run(request, backend: CPUBackend()) { _ in }
                return "ran"
            } catch {
                return "\(error)"
            }
        }
        for kind in [ExperimentKind.reconstruction, .interpolation] {
            let text = message(ExperimentRequest(name: "needs-images", kind: kind, model: model, samplers: [.belm], steps: [2], seeds: [0], count: 1))
            #expect(text.contains("images:") && text.contains("needs-images"), "\(kind): \(text)")
        }
        let prompted = message(ExperimentRequest(name: "prompted", kind: .sampling, model: model, samplers: [.belm], steps: [2], seeds: [0],
                                                 count: 1, prompts: ["a red disc"]))
        #expect(prompted.contains("not prompts") && prompted.contains("classes:"), "\(prompted)")
        let converging = message(ExperimentRequest(name: "orders", kind: .convergence, model: model, samplers: [.belm], steps: [2, 4], seeds: [0], count: 1))
        #expect(converging.contains("exact ODE solution") && converging.contains("reference model"), "\(converging)")
    }

    /// The `images:` folder feeds a diffusers model's inversions: a round trip and a strip between its first two images.
    @Test func anImagesFolderFeedsDiffusersInversions() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-images-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SiteBuildTests.Fixture.writeTinySet(to: folder)
        let images = folder.appendingPathComponent("disc").path
        // The unconditional branch the inversions run under needs the fixture's null class, named in belm.json.
        let labelled = folder.appendingPathComponent("classcond")
        try FileManager.default.copyItem(at: Self.classConditionalFixture, to: labelled)
        try Data(#"{"classes": ["a", "b", "c", "d", "e", "f", "g", "h", "i"], "null_class": 9}"#.utf8)
            .write(to: labelled.appendingPathComponent("belm.json"))
        let reconstruction = ExperimentRequest(name: "round-trip", kind: .reconstruction, model: labelled.path, samplers: [.ddim, .belm],
                                               steps: [2], seeds: [0], count: 4, images: images)
        let result = try ModelExperimentRunner().run(reconstruction, backend: CPUBackend()) { _ in }
        let mse = result.records.filter { $0.metric == "mse" }
        #expect(mse.allSatisfy { $0.count == 2 }, "the folder holds two images, fewer than count")
        #expect(mse.first { $0.sampler == "belm" }!.value < 1e-8)
        let strip = ExperimentRequest(name: "strip", kind: .interpolation, model: labelled.path, samplers: [.belm],
                                      steps: [2], seeds: [0], count: 2, frames: 3, images: images)
        let figure = try #require(try ModelExperimentRunner().run(strip, backend: CPUBackend()) { _ in }.figures(of: strip).first)
        #expect(figure.rows.map(\.label) == ["endpoints", "O-BELM"] && figure.rows[1].cells.count == 3)
    }

    /// A text-conditioned model through the site's runner: the tiny Stable Diffusion 1.5 fixture (unet/, vae/,
    /// scheduler/ of sd/sd15 with the CLIP tokenizer and the matching text encoder) samples from prompts, edits
    /// prompt to prompt and inverts an `images:` folder under a prompt; figures are labelled with the prompts.
    @Test func stableDiffusionPromptsRunThroughTheRunner() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-sd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let fixtures = Self.classConditionalFixture.deletingLastPathComponent().deletingLastPathComponent()
        let model = root.appendingPathComponent("sd15")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("sd/sd15"), to: model)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("clip/tokenizer"), to: model.appendingPathComponent("tokenizer"))
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("sd/sd15-text_encoder"), to: model.appendingPathComponent("text_encoder"))
        try SiteBuildTests.Fixture.writeTinySet(to: root.appendingPathComponent("set"))
        let images = root.appendingPathComponent("set/disc").path
        let runner = ModelExperimentRunner()

        let sampling = ExperimentRequest(name: "prompted", kind: .sampling, model: model.path, samplers: [.belm], steps: [2],
                                         seeds: [0], count: 2, prompts: ["a red disc", "a blue square"], guidance: 2)
        let sampled = try runner.run(sampling, backend: CPUBackend()) { _ in }
        let cells = try #require(sampled.figures(of: sampling).first?.rows.first?.cells)
        #expect(cells.count == 1 && cells[0].images.map(\.label) == ["a red disc", "a blue square"])
        #expect(cells[0].images[0].image.width == 128, "SD samples are decoded to pixels")

        let editing = ExperimentRequest(name: "dalmatian", kind: .editing, model: model.path, samplers: [.belm], steps: [2], seeds: [0],
                                        count: 1, prompts: ["A dog"], targets: ["A Dalmatian"], freezeStep: 1, guidance: 2, images: images)
        let edited = try runner.run(editing, backend: CPUBackend()) { _ in }
        let edit = try #require(edited.figures(of: editing).first?.rows.first?.cells.first)
        #expect(edit.images.count == 2 && edited.figures(of: editing)[0].title.contains("A Dalmatian"), "\(edited.figures(of: editing)[0].title)")

        let reconstruction = ExperimentRequest(name: "round-trip", kind: .reconstruction, model: model.path, samplers: [.ddim, .belm],
                                               steps: [2], seeds: [0], count: 1, prompts: ["a disc"], images: images)
        let records = try runner.run(reconstruction, backend: CPUBackend()) { _ in }.records
        let latent = Dictionary(uniqueKeysWithValues: records.filter { $0.metric == "mse" }.map { ($0.sampler, $0.value) })
        #expect(latent["belm"]! < 1e-8 && latent["ddim"]! > latent["belm"]!, "\(latent)")
        #expect(records.contains { $0.metric == "mse_pixel" })
    }

    @Test func errorMapAmplificationIsThePowerOfTenThatShowsTheLargestError() {
        #expect(ErrorValues.amplification(forLargestError: 3e-3) == 1000)
        #expect(ErrorValues.amplification(forLargestError: 0.5) == 10)
        #expect(ErrorValues.amplification(forLargestError: 0) == 1_000_000)
    }
}
