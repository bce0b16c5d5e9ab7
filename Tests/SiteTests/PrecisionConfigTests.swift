import Compute
import Experiments
import Foundation
import Models
import Testing
@testable import Site

/// `precision:` per model in belm.yml: fp32 by default, fp16 where a diffusers model asks, refused on the
/// reference model; its experiments carry it into their cache keys.
@Suite struct PrecisionConfigTests {
    func parse(_ text: String) throws -> SiteConfig {
        try SiteConfigLoader.parse(text, file: "site/belm.yml", directory: "/tmp", backends: ["cpu", "vulkan"])
    }

    func config(_ model: String) -> String {
        """
        title: Test
        models:
        \(model)
        experiments:
          - kind: reconstruction
            steps: [10]

        """
    }

    @Test func modelsTakeTheirPrecisionAndDefaultToFP32() throws {
        let half = try parse(config("  unet: {path: builtin:shapes-unet, precision: fp16}"))
        #expect(half.models[0].precision == .fp16 && half.experiments[0].request.precision == .fp16)
        let plain = try parse(config("  unet: builtin:shapes-unet"))
        #expect(plain.models[0].precision == .fp32 && plain.experiments[0].request.precision == .fp32)
        let spelled = try parse(config("  unet: {path: builtin:shapes-unet, precision: fp32}"))
        #expect(spelled.experiments[0].request == plain.experiments[0].request)
    }

    @Test func unknownPrecisionsAndTheReferenceModelAreRefused() {
        func message(_ text: String) -> String? {
            do {
                _ = try parse(text)
                return nil
            } catch {
                return (error as? ConfigError)?.description
            }
        }
        let unknown = message(config("  unet: {path: builtin:shapes-unet, precision: fp8}"))
        #expect(unknown?.contains("site/belm.yml:3") == true && unknown?.contains("unknown value 'fp8'") == true, "\(unknown ?? "parsed")")
        let reference = message(config("  shapes: {path: builtin:shapes, precision: fp16}"))
        #expect(reference?.contains("reference model") == true && reference?.contains("remove `precision: fp16`") == true, "\(reference ?? "parsed")")
    }

    func key(_ precision: Precision) throws -> String {
        let request = ExperimentRequest(name: "reconstruction", kind: .reconstruction, model: "builtin:shapes-unet", samplers: [.belm],
                                        steps: [2], seeds: [0], count: 4, precision: precision)
        return try ResultCache.key(item: WorkItems.plan(request)[0], request: request, modelDigest: "d", codeVersion: "test", backend: "cpu")
    }

    /// fp16 results are other results; fp32 keys are what they were before models had a precision (the
    /// request's JSON leaves it out, and the key adds it only when it is not fp32).
    @Test func precisionEntersTheKeyAndFP32KeysStayAsTheyWere() throws {
        #expect(try key(.fp16) != key(.fp32))
        let request = ExperimentRequest(name: "r", kind: .reconstruction, model: "m", samplers: [.belm], steps: [2], seeds: [0], count: 4,
                                        precision: .fp16)
        let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        #expect(!json.contains("precision"), "\(json)")
    }

    /// fp16 keys changed when fp16 came to mean fp16 activations too (results made with fp16 weights alone are
    /// other numbers); the key below is this request's from before.
    @Test func halfActivationsChangedTheFP16Keys() throws {
        #expect(try key(.fp16) != "f83a359fba18d89dc31f7f84471c2433c71c2cc31422772cc576b9e862cc9a1e")
    }

    /// `ExperimentRequest.CodingKeys` leaves out `precision` and the sampler knobs the key adds itself
    /// (`belmOrder`, `edictLeapfrog`, `convention`) alone: a field added to the request and not to its coding
    /// keys would silently drop out of every cache key.
    @Test func everyOtherFieldOfTheRequestIsInItsJSON() throws {
        let request = ExperimentRequest(name: "r", kind: .editing, model: "m", samplers: [.belm], steps: [2], seeds: [0], count: 4,
                                        classes: [1], prompts: ["p"], targets: ["t"], freezeStep: 1, guidance: 2, spread: 0.1, images: "i",
                                        fid: FIDSetting(inception: "a", reference: "b"), precision: .fp16,
                                        microConditioning: MicroConditioningSettings(originalSize: PixelSize(height: 8, width: 8)))
        let object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(request)) as? [String: Any])
        let fields = Set(Mirror(reflecting: request).children.compactMap(\.label))
        #expect(Set(object.keys) == fields.subtracting(["precision", "belmOrder", "edictLeapfrog", "convention"]))
    }
}

/// A model's precision goes with its results: each run's provenance names it, and so does the
/// reproducibility page.
@Suite struct PrecisionProvenanceTests {
    @Test func runsRecordTheirModelsPrecision() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-precision-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let configPath = root.appendingPathComponent("belm.yml").path
        try """
            title: fp16
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              unet: {path: builtin:shapes-unet, precision: fp16}
            experiments:
              - name: reconstruction
                kind: reconstruction
                samplers: [belm]
                steps: [2]
                count: 1
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try SiteConfigLoader.load(path: configPath, backends: ["cpu"])
        let backend = CPUBackend(), cache = ResultCache(folder: root.appendingPathComponent("cache"))
        let output = root.appendingPathComponent("_site")
        let environment = BuildEnvironment(belmVersion: "test", swiftVersion: "6", operatingSystem: "test",
                                           compute: ComputeProvenance(backend: "cpu", device: "test CPU", driver: nil, precision: .fp32),
                                           command: "belm build")
        try SiteBuilder(config: config, runner: CountingRunner(), backend: backend, cache: cache, output: output, environment: environment).build()
        let plan = try BuildPlan.make(config: config, runner: CountingRunner(), backend: "cpu", cache: cache)
        #expect(!plan.items.isEmpty && plan.items.allSatisfy { $0.entry?.facts.compute.precision == .fp16 })
        let page = try String(contentsOf: output.appendingPathComponent("reproducibility.html"), encoding: .utf8)
        #expect(page.contains("<th scope=\"row\">precision</th><td>fp16</td>"))
        #expect(page.contains("cpu · test CPU · fp16"))
    }
}
