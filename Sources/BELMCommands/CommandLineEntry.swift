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
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(with: error, message: fullMessage(for: error))
        }
        do {
            try command.run()
            Glibc.exit(ExitCode.success.rawValue)
        } catch let refusal as ValidationError {
            // A refusal from the command's own checks: ArgumentParser would print the root command's usage,
            // which does not say which options were meant; point to the subcommand's help instead.
            let name = type(of: command).configuration.commandName ?? ""
            exit(with: refusal, message: "Error: \(refusal.message)\n  See 'belm \(name) --help' for more information.")
        } catch {
            exit(with: error, message: fullMessage(for: error))
        }
    }

    private static func exit(with error: Error, message text: String) -> Never {
        let code = exitCode(for: error)
        if code == .success {
            // Help and version: belm's own text, on standard output as ArgumentParser prints it.
            if !text.isEmpty { print(text) }
        } else if !text.isEmpty {
            FileHandle.standardError.write(Data((text.escapingControlCharacters + "\n").utf8))
        }
        Glibc.exit(code.rawValue)
    }
}
