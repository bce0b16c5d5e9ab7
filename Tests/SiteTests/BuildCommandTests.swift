import BELMTestSupport
import ArgumentParser
import Foundation
import Testing
@testable import BELMCommands
@testable import Site

/// `belm build` as a user runs it: the command, and the real executable killed halfway.
@Suite struct BuildCommandTests {
    @Test func buildCommandWritesTheSiteAndRefusesABadConfig() throws {
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        var command = try BuildCommand.parse(["--config", fixture.configPath, "--out", fixture.output.path, "--cache", fixture.cache.path, "--backend", "cpu", "--quiet"])
        try command.run()
        let reproducibility = try String(contentsOf: fixture.output.appendingPathComponent("reproducibility.html"), encoding: .utf8)
        #expect(reproducibility.contains("belm build --config \(fixture.configPath) --out \(fixture.output.path) --backend cpu"))

        try "title: x\nmodels: {a: builtin:shapes}\nexperiments:\n  - kind: sampling\n    stepz: 3\n".write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        command = try BuildCommand.parse(["--config", fixture.configPath, "--out", fixture.output.path, "--cache", fixture.cache.path, "--quiet"])
        #expect(throws: ExitCode.failure) { try command.run() }
        #expect(FileManager.default.fileExists(atPath: fixture.output.appendingPathComponent("index.html").path))
    }

    @Test func killingABuildLeavesThePreviousSite() throws {
        let belm = try #require(BELMProcess.executable, "build the belm executable first (swift build)")
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        try fixture.builder(runner: CountingRunner()).build()
        let before = try fixture.snapshot()
        // A changed config and a fresh cache: the next build has experiments to run, and is killed while it runs them.
        let text = try String(contentsOfFile: fixture.configPath, encoding: .utf8).replacingOccurrences(of: "steps: [4, 8, 16]", with: "steps: [4, 8, 16, 32]")
        try text.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = belm
        process.arguments = ["build", "--config", fixture.configPath, "--out", fixture.output.path, "--cache", fixture.root.appendingPathComponent("other-cache").path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Wait for the first progress line, then kill without warning.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("running") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try fixture.snapshot() == before)
        // What a build killed while writing leaves behind is cleared by the next build.
        let leftover = fixture.output.deletingLastPathComponent().appendingPathComponent("._site.building-\(process.processIdentifier)")
        try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: true)
        try fixture.builder(runner: CountingRunner()).build()
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
    }
}
