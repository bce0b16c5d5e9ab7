import Experiments
import Foundation
import Testing
@testable import Site

/// site/examples/table3-ddpm-cifar10-fid.yml and table4-sd15-coco-fid.yml, the paper's Tables 3 and 4 as
/// configs: they cannot run here (no weights), so they are checked as far as a config goes — what they ask
/// for, the work items they plan, and what they say when an input is missing.
@Suite struct PaperTableExampleTests {
    /// A checkout with the example copied in and, unless left out, every input it names (empty stand-ins).
    static func checkout(_ name: String, without missing: Set<String> = []) throws -> (root: URL, config: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-tables-\(UUID().uuidString)")
        let examples = root.appendingPathComponent("site/examples")
        try FileManager.default.createDirectory(at: examples, withIntermediateDirectories: true)
        for folder in ["models/ddpm-cifar10-32", "models/stable-diffusion-v1-5", "data/cifar10-train", "data/coco/val2014"] where !missing.contains(folder) {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let files = ["models/pt_inception-2015-12-05.safetensors": "weights", "data/coco/captions-30k.txt": "A man riding a horse.\n\nTwo cats on a sofa.\n"]
        for (path, text) in files where !missing.contains(path) {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(path).deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        try FileManager.default.copyItem(at: ExampleConfigTests.examples.appendingPathComponent(name), to: examples.appendingPathComponent(name))
        return (root, examples.appendingPathComponent(name).path)
    }

    @Test func table3IsFiftyThousandSamplesOfFourSamplersAtFourStepCounts() throws {
        let (root, path) = try Self.checkout("table3-ddpm-cifar10-fid.yml")
        defer { try? FileManager.default.removeItem(at: root) }
        let config = try SiteConfigLoader.load(path: path, backends: ["cpu", "vulkan"])
        let request = try #require(config.experiments.first?.request)
        #expect(config.experiments.count == 1)
        #expect(request.kind == .sampling && request.count == 50_000 && request.seeds == [0])
        #expect(request.samplers == [.ddim, .edict, .bdia, .belm] && request.steps == [10, 20, 50, 100])
        #expect(request.bdiaGamma == 0.1 && request.edictP == 0.97)
        let fid = try #require(request.fid)
        #expect(fid.reference.hasSuffix("/data/cifar10-train") && !fid.referenceIsStatistics)
        #expect(fid.inception.hasSuffix("/models/pt_inception-2015-12-05.safetensors"))
        // 782 items of at most 64 samples per cell, 16 cells: what the Slurm array shares out.
        #expect(WorkItems.plan(request).count == 16 * 782)
    }

    @Test func table4ReadsTheCaptionFileWithThePapersGuidancePerSampler() throws {
        let (root, path) = try Self.checkout("table4-sd15-coco-fid.yml")
        defer { try? FileManager.default.removeItem(at: root) }
        let config = try SiteConfigLoader.load(path: path, backends: ["cpu", "vulkan"])
        let requests = config.experiments.map(\.request)
        #expect(requests.map(\.samplers) == [[.ddim, .belm], [.bdia], [.edict]])
        #expect(requests.map(\.guidance) == [5.5, 4.0, 3.0])
        for request in requests {
            #expect(request.count == 30_000 && request.steps == [10, 20, 50, 100] && request.seeds == [0])
            #expect(request.prompts == ["A man riding a horse.", "Two cats on a sofa."], "one caption a line, blank lines skipped")
            #expect(request.fid?.reference.hasSuffix("/data/coco/val2014") == true)
        }
    }

    /// `belm plan` stops at the first missing input with the file and what to do.
    @Test(arguments: [
        ("models/pt_inception-2015-12-05.safetensors", ["`fid: inception:`", "pt_inception-2015-12-05.safetensors is not a file"]),
        ("data/cifar10-train", ["`fid: reference:`", "data/cifar10-train does not exist"]),
        ("data/coco/captions-30k.txt", ["`prompts_file:`", "captions-30k.txt cannot be read", "one prompt a line"]),
    ])
    func aMissingInputIsNamed(_ missing: String, _ fragments: [String]) throws {
        let name = missing.contains("coco") ? "table4-sd15-coco-fid.yml" : "table3-ddpm-cifar10-fid.yml"
        let (root, path) = try Self.checkout(name, without: [missing])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect { try SiteConfigLoader.load(path: path, backends: ["cpu", "vulkan"]) } throws: { error in
            let text = "\(error)"
            return (error as? ConfigError)?.line != nil && fragments.allSatisfy { text.contains($0) }
        }
    }
}

/// `prompts_file:` and the cache keys of prompt items.
@Suite struct PromptsFileTests {
    @Test func promptsFileRefusesPromptsBesideItAndAnEmptyFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "\n  \n".write(to: folder.appendingPathComponent("empty.txt"), atomically: true, encoding: .utf8)
        try "a cat\n".write(to: folder.appendingPathComponent("one.txt"), atomically: true, encoding: .utf8)
        func load(_ lines: String) throws -> SiteConfig {
            try SiteConfigLoader.parse("title: T\nmodels: {m: builtin:shapes}\nexperiments:\n  - kind: sampling\n\(lines)", file: "belm.yml",
                                       directory: folder.path, backends: ["cpu"])
        }
        #expect { try load("    prompts_file: empty.txt\n") } throws: { "\($0)".contains("empty.txt holds no prompt") }
        #expect { try load("    prompts: [a dog]\n    prompts_file: one.txt\n") } throws: { "\($0)".contains("gives both `prompts:` and `prompts_file:`") }
    }

    /// Sample i takes prompt i mod their count, so an item's key holds its own prompts: a longer caption file
    /// that begins the same reuses the items, and a key does not carry 30,000 captions.
    @Test func aPromptItemsKeyHoldsItsOwnPrompts() throws {
        func key(_ prompts: [String], item: Int = 0) throws -> String {
            let request = ExperimentRequest(name: "s", kind: .sampling, model: "sd", samplers: [.ddim], steps: [10], seeds: [0], count: 128, prompts: prompts)
            return try ResultCache.key(item: WorkItems.plan(request)[item], request: request, modelDigest: "d", codeVersion: "c", backend: "cpu")
        }
        let captions = (0..<200).map { "caption \($0)" }
        #expect(try key(Array(captions.prefix(128))) == key(captions))
        #expect(try key(Array(captions.prefix(128)), item: 1) == key(captions, item: 1))
        #expect(try key(Array(captions.prefix(100))) == key(captions), "items 0–63 take captions 0–63 either way")
        #expect(try key(Array(captions.prefix(100)), item: 1) != key(captions, item: 1), "item 64–127 wraps round 100 captions")
        #expect(try key(captions.reversed()) != key(captions))
    }
}
