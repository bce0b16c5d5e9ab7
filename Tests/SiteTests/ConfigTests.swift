import Experiments
import Foundation
import Testing
@testable import Site

@Suite struct ConfigTests {
    static let backends = ["cpu", "vulkan"]

    func parse(_ text: String) throws -> SiteConfig {
        try SiteConfigLoader.parse(text, file: "site/belm.yml", directory: "/tmp", backends: Self.backends)
    }

    /// The error a config gives, or a failure when it parses.
    func error(_ text: String) -> ConfigError? {
        do {
            _ = try parse(text)
            Issue.record("config parsed but should not:\n\(text)")
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static let minimal = """
        title: Test
        models:
          shapes: builtin:shapes
        experiments:
          - kind: reconstruction
            steps: [10, 20]

        """

    @Test func minimalConfigGetsDefaults() throws {
        let config = try parse(Self.minimal)
        #expect(config.title == "Test")
        #expect(config.backend == "cpu")
        #expect(config.experiments.count == 1)
        let request = config.experiments[0].request
        #expect(request.name == "reconstruction")
        #expect(request.model == "builtin:shapes")
        #expect(request.samplers == SamplerChoice.allCases)
        #expect(request.steps == [10, 20])
        #expect(request.seeds == [0])
        #expect(config.experiments[0].line == 5)
        // No `templates:`: belm's own, found beside the executable or, in a checkout, in its source tree.
        #expect(config.templatesDirectory == BuiltinTemplates.locate()?.path && FileManager.default.fileExists(atPath: config.templatesDirectory + "/index.md.mustache"))
    }

    @Test func theDefaultSiteConfigParses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../site/belm.yml").standardizedFileURL.path
        let config = try SiteConfigLoader.load(path: path, backends: Self.backends)
        // Every kind on both builtin models, the reference model and the UNet next to each other; convergence
        // (which needs the exact ODE solution) on the reference model alone.
        let runs = config.experiments.map { "\($0.request.kind.rawValue) \($0.request.model)" }
        #expect(runs == ["sampling builtin:shapes", "sampling builtin:shapes-unet", "reconstruction builtin:shapes", "reconstruction builtin:shapes-unet",
                         "interpolation builtin:shapes", "interpolation builtin:shapes-unet", "editing builtin:shapes", "editing builtin:shapes-unet",
                         "convergence builtin:shapes"])
        #expect(Set(config.experiments.map(\.title)).count == config.experiments.count, "titles tell the models apart")
        #expect(config.models == [ModelEntry(name: "shapes", source: "builtin:shapes", fetch: nil),
                                  ModelEntry(name: "unet", source: "builtin:shapes-unet", fetch: nil)])
    }

    @Test func imagesFolderResolvesAgainstTheConfig() throws {
        let config = try parse(Self.minimal + "    images: photos\n")
        #expect(config.experiments[0].request.images == "/tmp/photos")
        #expect(try parse(Self.minimal).experiments[0].request.images == nil)
    }

    @Test func yamlSyntaxErrorNamesTheLine() {
        let e = error("title: Test\nmodels:\n  shapes: builtin:shapes\nexperiments:\n  - kind: sampling\n   steps: [10\n")
        #expect(e?.file == "site/belm.yml")
        #expect(e?.line == 6 || e?.line == 7)
        #expect(e?.message.contains("YAML syntax") == true)
        #expect(e?.description.hasPrefix("site/belm.yml:") == true)
    }

    @Test func unknownKeySuggestsTheRightOne() {
        let e = error(Self.minimal.replacingOccurrences(of: "    steps: [10, 20]", with: "    stepz: [10, 20]"))
        #expect(e?.line == 6)
        #expect(e?.message == "unknown key 'stepz' in experiment 1; did you mean 'steps'?")
        #expect(e?.message.contains("did you mean 'steps'") == true)
    }

    @Test func unknownTopLevelKey() {
        let e = error("titel: Test\n" + Self.minimal)
        #expect(e?.line == 1)
        #expect(e?.message.contains("did you mean 'title'") == true)
    }

    @Test func wrongTypeSaysWhatIsExpected() {
        let e = error(Self.minimal.replacingOccurrences(of: "[10, 20]", with: "[10, twenty]"))
        #expect(e?.line == 6)
        #expect(e?.message.contains("must be a whole number") == true)
        #expect(e?.message.contains("'twenty'") == true)
    }

    @Test func unknownSamplerAndKind() {
        let sampler = error(Self.minimal + "    samplers: [ddim, belmm]\n")
        #expect(sampler?.line == 7)
        #expect(sampler?.message.contains("unknown value 'belmm'; did you mean 'belm'") == true)
        let kind = error(Self.minimal.replacingOccurrences(of: "kind: reconstruction", with: "kind: reconstruct"))
        #expect(kind?.line == 5)
        #expect(kind?.message.contains("did you mean 'reconstruction'") == true)
    }

    @Test func unknownBackendAndModelReference() {
        let backend = error("backend: metal\n" + Self.minimal)
        #expect(backend?.line == 1)
        #expect(backend?.message.contains("unknown backend 'metal'") == true)
        let model = error(Self.minimal + "    model: shapez\n")
        #expect(model?.line == 7)
        #expect(model?.message.contains("did you mean 'shapes'") == true)
    }

    @Test func missingModelFolderSaysHowToFetchIt() {
        let text = """
            title: Test
            models:
              cifar:
                path: models/ddpm-cifar10-32-not-here
                fetch: huggingface-cli download google/ddpm-cifar10-32 --local-dir models/ddpm-cifar10-32
            experiments:
              - kind: sampling

            """
        let e = error(text)
        #expect(e?.line == 4)
        #expect(e?.message.contains("does not exist") == true)
        #expect(e?.message.contains("huggingface-cli download google/ddpm-cifar10-32") == true)
    }

    @Test func repeatedNamesAndKeysAreRefused() {
        let twice = error(Self.minimal + "  - kind: reconstruction\n")
        #expect(twice?.line == 7)
        #expect(twice?.message.contains("two experiments are named 'reconstruction'") == true)
        let key = error(Self.minimal + "    steps: [30]\n")
        #expect(key?.line == 7)
        #expect(key?.message.contains("appears twice") == true)
    }

    @Test func editingNeedsOneTargetPerSource() {
        let e = error(Self.minimal.replacingOccurrences(of: "kind: reconstruction", with: "kind: editing") + "    classes: [0, 1]\n    targets: [\"2\"]\n")
        #expect(e?.line == 8)
        #expect(e?.message.contains("one target per class") == true)
    }

    @Test func outOfRangeAndEmptyFile() {
        let steps = error(Self.minimal.replacingOccurrences(of: "[10, 20]", with: "[0]"))
        #expect(steps?.message.contains("between 1 and 1000") == true)
        let empty = error("")
        #expect(empty?.message.contains("empty") == true)
    }

    @Test func missingConfigFile() {
        #expect(throws: ConfigError.self) {
            try SiteConfigLoader.load(path: "/nonexistent/belm.yml", backends: Self.backends)
        }
    }
}

@Suite struct ExampleConfigTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../site/examples").standardizedFileURL

    /// Without the downloaded checkpoints, each example stops at its model with the command that fetches it.
    @Test(arguments: ["ddpm-cifar10-32.yml", "sd15.yml", "table3-ddpm-cifar10-fid.yml", "table4-sd15-coco-fid.yml"])
    func examplesNameTheirDownload(_ name: String) throws {
        let path = Self.examples.appendingPathComponent(name).path
        let modelFolder = Self.examples.appendingPathComponent("../../models").standardizedFileURL.path
        try #require(!FileManager.default.fileExists(atPath: modelFolder), "models/ exists here; this test checks the message a fresh clone gets")
        #expect { try SiteConfigLoader.load(path: path, backends: ["cpu"]) } throws: { error in
            let e = error as? ConfigError
            return e?.line != nil && e?.message.contains("does not exist; fetch it with: huggingface-cli download") == true
        }
    }
}

extension ExampleConfigTests {
    /// With the model folders in place, the examples are valid configs.
    @Test(arguments: ["ddpm-cifar10-32.yml", "sd15.yml"])
    func examplesAreValidOnceTheModelIsThere(_ name: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-examples-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let examples = root.appendingPathComponent("site/examples")
        try FileManager.default.createDirectory(at: examples, withIntermediateDirectories: true)
        for model in ["ddpm-cifar10-32", "stable-diffusion-v1-5"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("models/\(model)"), withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent(name), to: examples.appendingPathComponent(name))
        let config = try SiteConfigLoader.load(path: examples.appendingPathComponent(name).path, backends: ["cpu"])
        #expect(!config.experiments.isEmpty)
        #expect(config.models.allSatisfy { $0.source.hasPrefix(root.appendingPathComponent("models").standardizedFileURL.path) })
    }
}
