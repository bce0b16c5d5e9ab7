import BELMTestSupport
import Experiments
import Foundation
import Testing
@testable import Site

/// What belm prints to the terminal shows control characters from names, paths and config values as text
/// (`\u{1B}`) instead of sending them, so a file name cannot clear the screen or retitle the window.
@Suite struct TerminalOutputTests {
    @Test func controlCharactersAreWrittenOut() {
        #expect("plain, with\ttab and\nnewline — ü 日本".escapingControlCharacters == "plain, with\ttab and\nnewline — ü 日本")
        #expect("a\u{1B}[2Jb".escapingControlCharacters == "a\\u{1B}[2Jb")
        #expect("\u{0}\u{7}\r\u{7F}\u{9B}31m".escapingControlCharacters == "\\u{0}\\u{7}\\u{D}\\u{7F}\\u{9B}31m")
    }

    @Test func bidirectionalOverridesAreWrittenOut() {
        // "exe.png" shown reversed: a name that would read as an image while it is not.
        #expect("report\u{202E}gnp.exe".escapingControlCharacters == "report\\u{202E}gnp.exe")
        #expect("a\u{2066}b\u{2069}c\u{202A}".escapingControlCharacters == "a\\u{2066}b\\u{2069}c\\u{202A}")
        // Right-to-left letters themselves are text, not controls.
        #expect("שלום مرحبا".escapingControlCharacters == "שלום مرحبا")
    }

    @Test func progressEscapesNamesButStillRedrawsItsLine() {
        final class Lines: @unchecked Sendable { var text = "" }
        let terminal = Lines()
        let progress = TerminalProgress(isTerminal: true, write: { terminal.text += $0 })
        progress.handle(.experiment(name: "evil\u{1B}]0;owned\u{7}", index: 1, total: 1, cached: false))
        progress.handle(.progress(ExperimentProgress(experiment: "evil", stage: "ddim\u{1B}[2J", done: 1, total: 100)))
        progress.handle(.done(path: "/tmp/site\u{1B}[1A", ran: 1, cached: 0, seconds: 1))
        #expect(terminal.text.contains("[1/1] evil\\u{1B}]0;owned\\u{7}: running\n"))
        #expect(terminal.text.contains("\r\u{1B}[2K      ddim\\u{1B}[2J  1/100"))
        #expect(terminal.text.contains("built /tmp/site\\u{1B}[1A in"))
        // The one escape sequence left is the redraw's own.
        #expect(terminal.text.components(separatedBy: "\u{1B}").count == 2)
    }

    /// The belm executable, run on a path and a config value holding escape sequences: its error messages reach
    /// standard error with no ESC byte in them.
    @Test func errorMessagesOfTheExecutableCarryNoEscapeBytes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-terminal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("belm.yml")
        try "title: x\nmodels: {a: builtin:shapes}\nexperiments:\n  - kind: \"samp\\u001b[2Jling\"\n".write(to: config, atomically: true, encoding: .utf8)

        let runs = [
            ["serve", "--site", folder.appendingPathComponent("site\u{1B}[2J").path],
            ["build", "--config", folder.appendingPathComponent("missing\u{1B}]0;owned\u{7}.yml").path, "--out", folder.appendingPathComponent("out").path],
            ["build", "--config", config.path, "--out", folder.appendingPathComponent("out").path],
        ]
        for arguments in runs {
            let run = try BELMProcess.run(arguments)
            let text = run.errors
            #expect(run.refused, "\(arguments): exit status \(run.status)")
            #expect(text.contains("\\u{1B}"), "\(arguments): \(text)")
            #expect(!run.errorBytes.contains(0x1B), "\(arguments): \(text)")
        }
    }
}
