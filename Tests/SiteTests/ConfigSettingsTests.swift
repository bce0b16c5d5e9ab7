import Experiments
import Foundation
import Testing
@testable import Site

/// The config refuses what the experiments refuse (their one validation), at the key that set it.
@Suite struct ConfigSettingsTests {
    func error(_ experiment: String, kind: ExperimentKind) -> ConfigError? {
        let text = "title: Test\nmodels:\n  shapes: builtin:shapes\nexperiments:\n  - kind: \(kind.rawValue)\n" + experiment
        do {
            _ = try SiteConfigLoader.parse(text, file: "site/belm.yml", directory: "/tmp", backends: ["cpu"])
            Issue.record("config parsed but should not:\n\(text)")
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    @Test func settingsTheSamplersRefuseAreRefusedAtTheirKey() {
        let cases: [(String, String, ExperimentKind)] = [
            ("    samplers: [bdia]\n    bdia_gamma: 0\n", "key 'bdia_gamma' is 0, which makes BDIA plain DDIM", .reconstruction),
            ("    bdia_gamma: 0.00001\n", "key 'bdia_gamma' must be 0 (plain DDIM) or lie in [0.1, 1]", .sampling),
            ("    edict_p: 1\n", "key 'edict_p' must lie in (0, 1)", .reconstruction),
            ("    guidance: 101\n", "key 'guidance' must lie in [0, 100]", .sampling),
            ("    steps: [1, 10]\n", "key 'steps' must be at least 2", .reconstruction),
            ("    classes: [0]\n    targets: [\"1\"]\n    steps: [10, 5]\n    freeze_step: 5\n",
             "key 'freeze_step' 5 must lie in 0…4, below the number of steps (5)", .editing),
        ]
        for (lines, expected, kind) in cases {
            let error = error(lines, kind: kind)
            #expect(error?.message.contains(expected) == true, "\(lines): \(String(describing: error))")
            // The key's own line: the last one given.
            #expect(error?.line == 5 + lines.split(separator: "\n").count, "\(lines): \(String(describing: error))")
        }
    }
}
