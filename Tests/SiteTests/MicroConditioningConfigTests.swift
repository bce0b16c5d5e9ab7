import Experiments
import Foundation
import Models
import Testing
@testable import Site

/// `original_size:`, `crop_top_left:` and `target_size:` on an experiment: written as on the command line, in the
/// request (and so in the cache key) only when set, malformed values refused naming the file, line and key, and a
/// model without micro-conditioning refused by the library in the config's words.
@Suite struct MicroConditioningConfigTests {
    func parse(_ extra: String) throws -> SiteConfig {
        try SiteConfigLoader.parse("""
            title: Test
            models:
              shapes: builtin:shapes
            experiments:
              - kind: sampling
                steps: [10]
            \(extra)
            """, file: "site/belm.yml", directory: "/tmp", backends: ["cpu"])
    }

    @Test func theKeysSetTheRequestAndOnlyWhenGiven() throws {
        let set = try parse("    original_size: 1024x768\n    crop_top_left: 0,256\n    target_size: 512 x 512")
        #expect(set.experiments[0].request.microConditioning
            == MicroConditioningSettings(originalSize: PixelSize(height: 1024, width: 768), cropTopLeft: PixelOffset(top: 0, left: 256),
                                         targetSize: PixelSize(height: 512, width: 512)))
        let unset = try parse("")
        #expect(unset.experiments[0].request.microConditioning == nil)
        func key(_ config: SiteConfig) throws -> String {
            let request = config.experiments[0].request
            return try ResultCache.key(item: WorkItems.plan(request)[0], request: request, modelDigest: "d", codeVersion: "test", backend: "cpu")
        }
        #expect(try key(set) != key(unset))
        #expect(try key(parse("    target_size: 512x512")) != key(parse("    original_size: 512x512")))
    }

    @Test func malformedValuesNameTheFileTheLineAndTheKey() {
        for (extra, expected) in [("    original_size: 1024", "key 'original_size': \"1024\" is not a size"),
                                  ("    target_size: 0x512", "key 'target_size': \"0x512\": height and width must lie in 1…65536"),
                                  ("    crop_top_left: 3", "key 'crop_top_left': \"3\" is not a crop corner")] {
            do {
                _ = try parse(extra)
                Issue.record("\(extra) was accepted")
            } catch {
                #expect("\(error)".contains("site/belm.yml:7") && "\(error)".contains(expected), "\(error)")
            }
        }
    }

    /// The reference model has no time ids: the library refuses naming the parameter, the build says the key.
    @Test func aModelWithoutMicroConditioningIsRefusedInTheConfigsWords() throws {
        let text = try SamplerSettingsConfigTests.refusal("    count: 2\n    crop_top_left: 4,8",
                                                          else: "micro-conditioning was accepted for the reference model")
        #expect(text.contains("belm.yml:6") && text.contains("key 'crop_top_left' applies to Stable Diffusion XL models")
                && !text.contains("--"), "\(text)")
    }
}
