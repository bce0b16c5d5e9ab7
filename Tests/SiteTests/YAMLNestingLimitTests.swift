import Foundation
import Testing
@testable import Site

/// The nesting check that keeps deeply nested YAML away from the parser, whose recursion would overflow the
/// stack (the crash itself is tested through the executable in BELMCommandsTests/HostileFileTests).
@Suite struct YAMLNestingLimitTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    /// A config whose last line sits `depth` mappings deep (on line depth + 1).
    func blockNested(_ depth: Int) -> String {
        "title: x\n" + (1...depth).map { String(repeating: "  ", count: $0 - 1) + "a:" }.joined(separator: "\n") + "\n"
    }

    @Test func depthIsCountedFromIndentationEntriesAndBrackets() {
        let limit = YAMLNestingLimit.maximumDepth
        #expect(YAMLNestingLimit.firstLineDeeperThanLimit(blockNested(limit)) == nil)
        #expect(YAMLNestingLimit.firstLineDeeperThanLimit(blockNested(limit + 1)) == limit + 2)
        #expect(YAMLNestingLimit.firstLineDeeperThanLimit("a: " + String(repeating: "[", count: limit - 1)) == nil)
        #expect(YAMLNestingLimit.firstLineDeeperThanLimit("a: " + String(repeating: "{", count: limit)) == 1)
        // Sequence markers on one line each open a level.
        #expect(YAMLNestingLimit.firstLineDeeperThanLimit(String(repeating: "- ", count: limit) + "x") == 1)
        // Flow nesting carries over lines.
        #expect(YAMLNestingLimit.firstLineDeeperThanLimit("a:\n" + String(repeating: "[\n", count: limit)) == limit + 1)
    }

    /// Brackets that are text — quoted, in comments, in block scalars, inside a word — are not nesting.
    @Test func bracketsInTextAreNotCounted() {
        let many = String(repeating: "[", count: 200)
        for text in ["prompt: \"\(many)\"", "prompt: '\(many) it''s'", "title: x # \(many)",
                     "description: |\n  \(many)\n  more \(many)\ntitle: x", "description: >-\n    \(many)\n",
                     "prompt: don't\(many)", "title: a photo of \(many) things"] {
            #expect(YAMLNestingLimit.firstLineDeeperThanLimit(text) == nil, "\(text.prefix(40))")
        }
    }

    @Test func shippedConfigsPass() throws {
        let site = Self.repository.appendingPathComponent("site")
        let files = try FileManager.default.subpathsOfDirectory(atPath: site.path).filter { $0.hasSuffix(".yml") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: site.appendingPathComponent(file), encoding: .utf8)
            #expect(YAMLNestingLimit.firstLineDeeperThanLimit(text) == nil, "\(file)")
        }
    }

    /// The loader refuses, naming the file, the line and the limit, before Yams parses anything.
    @Test func theLoaderRefusesNamingTheLimit() {
        let text = blockNested(200)
        do {
            _ = try SiteConfigLoader.parse(text, file: "site/deep.yml", directory: "/tmp", backends: ["cpu"])
            Issue.record("a config nested 200 deep parsed")
        } catch let error as ConfigError {
            #expect(error.file == "site/deep.yml" && error.line == YAMLNestingLimit.maximumDepth + 2)
            #expect(error.message.contains("more than \(YAMLNestingLimit.maximumDepth) levels"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        let huge = String(repeating: "#", count: YAMLNestingLimit.maximumBytes + 1)
        #expect { try SiteConfigLoader.parse(huge, file: "site/big.yml", directory: "/tmp", backends: ["cpu"]) } throws: {
            "\($0)".contains("site/big.yml") && "\($0)".contains("16 MiB")
        }
    }
}
