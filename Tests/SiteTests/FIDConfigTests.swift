import Experiments
import Foundation
import Testing
@testable import Site

/// `fid:` in the config: paths relative to the config, checked at load with the line of the mistake.
@Suite struct FIDConfigTests {
    /// A folder holding weights.safetensors, reference/ and stats.npz and bad.txt, removed by the caller.
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-fid-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("reference"), withIntermediateDirectories: true)
        for name in ["weights.safetensors", "stats.npz", "bad.txt"] { try Data([0]).write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    func config(kind: String = "sampling", fid: String) -> String {
        """
        title: Test
        models:
          shapes: builtin:shapes
        experiments:
          - kind: \(kind)
            steps: [10]
            fid: \(fid)

        """
    }

    func parse(_ text: String, in folder: URL) throws -> SiteConfig {
        try SiteConfigLoader.parse(text, file: "site/belm.yml", directory: folder.path, backends: ["cpu"])
    }

    @Test func pathsResolveAgainstTheConfigFolder() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let byFolder = try parse(config(fid: "{inception: weights.safetensors, reference: reference}"), in: folder)
        #expect(byFolder.experiments[0].request.fid == FIDSetting(inception: folder.appendingPathComponent("weights.safetensors").standardizedFileURL.path,
                                                                  reference: folder.appendingPathComponent("reference").standardizedFileURL.path))
        let byStatistics = try parse(config(fid: "{inception: weights.safetensors, reference: stats.npz}"), in: folder)
        #expect(byStatistics.experiments[0].request.fid?.referenceIsStatistics == true)
        #expect(try parse(config(fid: "{inception: weights.safetensors, reference: stats.npz}").replacingOccurrences(of: "    fid:", with: "    gallery: 2\n    #"), in: folder)
            .experiments[0].request.fid == nil)
    }

    @Test func mistakesAreRefusedWithTheirLine() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, String)] = [
            (config(fid: "{inception: none.safetensors, reference: reference}"), "none.safetensors is not a file"),
            (config(fid: "{inception: reference, reference: reference}"), "is not a file"),
            (config(fid: "{inception: weights.safetensors, reference: missing}"), "missing does not exist"),
            (config(fid: "{inception: weights.safetensors, reference: bad.txt}"), "is a file but not an .npz"),
            (config(fid: "{inception: weights.safetensors}"), "`fid:` needs `reference:`"),
            (config(fid: "{reference: reference}"), "`fid:` needs `inception:`"),
            (config(fid: "{inception: weights.safetensors, reference: reference, resize: no}"), "unknown key 'resize'"),
            (config(kind: "reconstruction", fid: "{inception: weights.safetensors, reference: reference}"), "`fid:` applies to sampling experiments"),
        ]
        for (text, expected) in cases {
            do {
                _ = try parse(text, in: folder)
                Issue.record("parsed but should not: \(text)")
            } catch let error as ConfigError {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(error.line == 7, "\(error.message)")
            }
        }
    }
}
