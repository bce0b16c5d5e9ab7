import ArgumentParser
import Experiments
import Foundation
import Site

/// `belm build`: run what is stale, write the site.
public struct BuildCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Run the experiments whose results are stale and write the comparison site.",
        discussion: """
            Reads the site config (experiments, models, templates), takes every result it can from the cache, \
            runs the rest, and replaces the output folder with the new site in one step: an interrupted build \
            leaves the previous site as it was.
            """)

    @Option(help: "The site config.")
    public var config: String = "site/belm.yml"

    @Option(help: "Folder the site is written to (replaced as a whole).")
    public var out: String = "_site"

    @Option(help: "Folder of cached experiment results.")
    public var cache: String = ".belm-cache"

    @Option(help: "Where models run: \(BackendChoice.allCases.map(\.rawValue).joined(separator: "|")) (default: the config's `backend:`, else cpu).")
    public var backend: BackendChoice?

    @Option(help: "Vulkan device index (see `belm devices`).")
    public var device: Int?

    @Flag(help: "Print nothing but errors.")
    public var quiet = false

    public init() {}

    public func run() throws {
        do {
            let siteConfig = try SiteConfigLoader.load(path: config, backends: BackendChoice.allCases.map(\.rawValue))
            // The command line's --backend wins over the config's `backend:`; both go through the shared options.
            let chosen = try backend ?? BackendChoice(rawValue: siteConfig.backend).unwrap(or: ValidationError("unknown backend \(siteConfig.backend)"))
            let options = try BackendOptions.parse(["--backend", chosen.rawValue] + (device.map { ["--device", String($0)] } ?? []))
            let computeBackend = try options.makeBackend()
            let runner = try ExperimentRunnerChoice.standard()
            var command = "belm build --config \(Self.shellQuoted(config)) --out \(Self.shellQuoted(out))"
            if let backend { command += " --backend \(backend.rawValue)" }
            if let device { command += " --device \(device)" }
            let environment = BuildEnvironment.current(belmVersion: BELM.configuration.version, compute: .of(computeBackend), command: command)
            let progress = TerminalProgress()
            let quiet = self.quiet
            let builder = SiteBuilder(config: siteConfig, runner: runner, backend: computeBackend,
                                      cache: ResultCache(folder: URL(fileURLWithPath: cache)),
                                      output: URL(fileURLWithPath: out).standardizedFileURL, environment: environment,
                                      report: { if !quiet { progress.handle($0) } })
            try builder.build()
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data((error.description.escapingControlCharacters + "\n").utf8))
            throw ExitCode.failure
        } catch let error as SiteWriteError {
            FileHandle.standardError.write(Data((error.description.escapingControlCharacters + "\n").utf8))
            throw ExitCode.failure
        } catch let error as ExperimentFailure {
            FileHandle.standardError.write(Data((error.description.escapingControlCharacters + "\n").utf8))
            throw ExitCode.failure
        } catch let error as NonFiniteMetric {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        }
    }

    static func shellQuoted(_ text: String) -> String {
        text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:@".contains($0) }) ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension Optional {
    func unwrap(or error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}

