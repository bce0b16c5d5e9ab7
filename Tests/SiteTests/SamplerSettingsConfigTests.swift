import Diffusion
import Experiments
import Foundation
import Testing
@testable import Site

/// `order:`, `edict_leapfrog:` and `convention:` per experiment in belm.yml: the command line's `--order`,
/// `--edict-leapfrog` and `--convention`, with the samplers' own defaults, refused in the config's words, and
/// in the cache key only when set away from their defaults.
@Suite struct SamplerSettingsConfigTests {
    func parse(_ text: String) throws -> SiteConfig {
        try SiteConfigLoader.parse(text, file: "site/belm.yml", directory: "/tmp", backends: ["cpu"])
    }

    /// A reconstruction experiment with `extra` lines (its 6th line onwards).
    func config(_ extra: String) -> String {
        """
        title: Test
        models:
          shapes: builtin:shapes
        experiments:
          - kind: reconstruction
            steps: [10]
        \(extra)
        """
    }

    @Test func theThreeKeysSetTheSamplersAndDefaultToTheirOwnDefaults() throws {
        let set = try parse(config("    order: 3\n    edict_leapfrog: true\n    convention: diffusers"))
        #expect(set.experiments[0].request.samplerSettings
            == SamplerSettings(belmOrder: 3, edictLeapfrog: true, convention: .diffusers))
        let unset = try parse(config(""))
        #expect(unset.experiments[0].request.samplerSettings == SamplerSettings.defaults)
        let spelled = try parse(config("    order: 2\n    edict_leapfrog: false\n    convention: official\n    edict_p: 0.93\n    bdia_gamma: 1"))
        #expect(spelled.experiments[0].request == unset.experiments[0].request)
    }

    @Test func badValuesAreRefusedNamingTheFileTheLineAndTheKey() {
        func message(_ extra: String) -> String {
            do {
                _ = try parse(config(extra))
                return "parsed"
            } catch {
                return "\(error)"
            }
        }
        let order = message("    order: 1")
        #expect(order.contains("site/belm.yml:7") && order.contains("key 'order' must be at least 2"), "\(order)")
        let fraction = message("    order: 2.5")
        #expect(fraction.contains("site/belm.yml:7") && fraction.contains("key 'order'") && fraction.contains("whole number"), "\(fraction)")
        let leapfrog = message("    edict_leapfrog: maybe")
        #expect(leapfrog.contains("site/belm.yml:7") && leapfrog.contains("key 'edict_leapfrog' must be true or false"), "\(leapfrog)")
        let convention = message("    convention: offical")
        #expect(convention.contains("site/belm.yml:7") && convention.contains("key 'convention': unknown value 'offical'")
                    && convention.contains("official"), "\(convention)")
    }

    func key(_ sampler: SamplerSettings) throws -> String {
        let request = ExperimentRequest(name: "reconstruction", kind: .reconstruction, model: "builtin:shapes", samplers: [.belm],
                                        steps: [4], seeds: [0], count: 4, sampler: sampler)
        return try ResultCache.key(item: WorkItems.plan(request)[0], request: request, modelDigest: "d", codeVersion: "test", backend: "cpu")
    }

    /// Each knob set away from its default gives other results; at their defaults the request's JSON and so
    /// every cache key are what they were before the config could set them.
    @Test func theKnobsEnterTheKeyOnlyAwayFromTheirDefaults() throws {
        let plain = try key(.defaults)
        // The key this request had before the request carried the three knobs: a change here orphans every cached result.
        #expect(plain == "5375695117590b6c577478f1b1382a363f925483ee4f12df80883364ca246f3c")
        #expect(try key(SamplerSettings(belmOrder: 3)) != plain)
        #expect(try key(SamplerSettings(edictLeapfrog: true)) != plain)
        #expect(try key(SamplerSettings(convention: .diffusers)) != plain)
        let request = ExperimentRequest(name: "r", kind: .reconstruction, model: "m", samplers: [.belm], steps: [2], seeds: [0], count: 4,
                                        sampler: SamplerSettings(belmOrder: 3, edictLeapfrog: true, convention: .diffusers))
        let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        #expect(!json.contains("belmOrder") && !json.contains("edictLeapfrog") && !json.contains("convention"), "\(json)")
    }

    /// A tiny-set site with one reconstruction experiment and `extra` lines.
    static func fixture(_ extra: String) throws -> SiteBuildTests.Fixture {
        let fixture = try SiteBuildTests.Fixture()
        try """
            title: "Settings"
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              tiny: "gmm:tiny-set"
            experiments:
              - name: reconstruction
                kind: reconstruction
                samplers: [ddim, belm]
                steps: [4]
            \(extra)
            """.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        return fixture
    }

    @Test func aSiteWithOrderThreeRunsBELMOrderThree() throws {
        let fixture = try Self.fixture("    count: 2\n    order: 3")
        defer { fixture.remove() }
        _ = try fixture.builder(runner: CountingRunner()).build()
        let metrics = try String(contentsOf: fixture.output.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(metrics.contains(",belm3,") && !metrics.contains(",belm,"), "\(metrics)")
        // Its page calls it by its order, not O-BELM.
        let page = try String(contentsOf: fixture.output.appendingPathComponent("reconstruction.html"), encoding: .utf8)
        #expect(page.contains("BELM (order 3)") && !page.contains("O-BELM"), "\(page)")
    }

    /// The settings spelled at their defaults reuse what a build without them cached.
    @Test func defaultSettingsKeepTheCacheKeys() throws {
        let fixture = try Self.fixture("    count: 2")
        defer { fixture.remove() }
        let runner = CountingRunner()
        #expect(try fixture.builder(runner: runner).build().ran == ["reconstruction"])
        try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .appending("\n    order: 2\n    edict_leapfrog: false\n    convention: official\n")
            .write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        #expect(try fixture.builder(runner: runner).build().cached == ["reconstruction"])
    }

    /// The library refuses a count beyond the model's images naming the parameter; the site says its key.
    @Test func aRefusalFromTheLibrarySaysTheConfigKey() throws {
        let text = try Self.refusal("    count: 50", else: "a count beyond the tiny set's four images was accepted")
        #expect(text.contains("belm.yml:6") && text.contains("key 'count' 50 must lie in 1…4") && !text.contains("--count"), "\(text)")
    }

    /// The error a build of `fixture(extra)` stops with; a build that succeeds records `accepted` and gives "".
    static func refusal(_ extra: String, else accepted: Comment) throws -> String {
        let fixture = try Self.fixture(extra)
        defer { fixture.remove() }
        do {
            _ = try fixture.builder(runner: CountingRunner()).build()
            Issue.record(accepted)
            return ""
        } catch {
            return "\(error)"
        }
    }
}
