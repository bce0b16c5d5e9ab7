import ArgumentParser
import Experiments
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension BELM {
    /// Runs the command the process was started with, as ArgumentParser's `main()` does, except that an error's
    /// message is printed with its control characters written out: messages quote file names, arguments and config
    /// values, and those must not reach the terminal as escape sequences. Exits with the error's exit code.
    public static func runFromCommandLine(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(ExitCode.success.rawValue)
        } catch {
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if code == .success {
                // Help and version: belm's own text, on standard output as ArgumentParser prints it.
                if !text.isEmpty { print(text) }
            } else if !text.isEmpty {
                FileHandle.standardError.write(Data((text.escapingControlCharacters + "\n").utf8))
            }
            Glibc.exit(code.rawValue)
        }
    }
}
