import Foundation
import Testing
@testable import BELMCommands

/// A path under the temporary directory that does not exist yet, unique to this call.
func scratchURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("belm-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
}

/// Runs each command line (with `common` arguments and a fresh `--out`) and expects it to fail with a message
/// that contains the case's text, having written nothing.
func expectRefusals(_ cases: [([String], String)], common: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
    for (arguments, expected) in cases {
        let out = scratchURL("bad")
        do {
            var command = try BELM.parseAsRoot(arguments + common + ["--quiet", "--out", out.path])
            try command.run()
            Issue.record("\(arguments) succeeded", sourceLocation: sourceLocation)
        } catch {
            let message = BELM.message(for: error)
            #expect(message.contains(expected), "\(arguments): \(message)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: out.path), "\(arguments) wrote \(out.path)", sourceLocation: sourceLocation)
    }
}
