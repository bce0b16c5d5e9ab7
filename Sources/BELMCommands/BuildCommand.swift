import ArgumentParser
import Compute
import Experiments
import Foundation
import Site

/// `belm build`: run what is stale, write the site.
public struct BuildCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Run the experiments whose results are stale and write the comparison site.",
        discussion: """
            Reads the site config (experiments, models, templates) and expands it into work items (sampler × \
            step count × seed × a range of samples); takes every item it can from the cache, runs the rest, and \
            replaces the output folder with the new site in one step: an interrupted build leaves the previous \
            site as it was.

            On a cluster, many processes share one cache folder: `--shard I/N` (or `--shard auto` in a Slurm \
            job array or a Kubernetes Indexed Job) computes share I of the items and writes no site; \
            `--cached-only` then writes the site from the cache alone. See `belm plan` for what is left.
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

    @Option(help: ArgumentHelp("Compute share I of N of the work items into the cache and write no site; `auto` reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX and BELM_SHARDS.", valueName: "I/N|auto"))
    public var shard: String?

    @Flag(help: "Write the site from the cache alone; if any work item is missing, write nothing and list what is missing.")
    public var cachedOnly = false

    @Flag(help: "Print nothing but errors.")
    public var quiet = false

    public init() {}

    public func validate() throws {
        if shard != nil && cachedOnly {
            throw ValidationError("--shard computes items and --cached-only computes none; give one or the other")
        }
    }

    /// The mode the flags ask for; `--shard auto` says on standard error which variables it used.
    func mode(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SiteBuilder.Mode {
        if cachedOnly { return .cachedOnly }
        guard let shard else { return .full }
        if shard == "auto" {
            let (found, source) = try Shard.fromScheduler(environment)
            if !quiet { FileHandle.standardError.write(Data("--shard auto: shard \(found) from \(source)\n".utf8)) }
            return .shard(found)
        }
        return .shard(try Shard.parse(shard))
    }

    public func run() throws {
        do {
            let mode = try mode()
            let siteConfig = try SiteConfigLoader.load(path: config, backends: BackendChoice.allCases.map(\.rawValue))
            // The command line's --backend wins over the config's `backend:`; both go through the shared options.
            let chosen = try backend ?? BackendChoice(rawValue: siteConfig.backend).unwrap(or: ValidationError("unknown backend \(siteConfig.backend)"))
            // Assembling from the cache runs nothing, so it needs no device: the chosen backend only names the results.
            let computeBackend: any Backend
            let compute: ComputeProvenance
            if mode == .cachedOnly {
                computeBackend = CPUBackend()
                compute = ComputeProvenance(backend: chosen.backendName, device: "none (assembled from the cache)", driver: nil, precision: .fp32)
            } else {
                let options = try BackendOptions.parse(["--backend", chosen.rawValue] + (device.map { ["--device", String($0)] } ?? []))
                computeBackend = try options.makeBackend()
                compute = .of(computeBackend)
            }
            let runner = try ExperimentRunnerChoice.standard()
            var command = "belm build --config \(BuildCommandText.quoted(config)) --out \(BuildCommandText.quoted(out))"
            if let backend { command += " --backend \(backend.rawValue)" }
            if let device { command += " --device \(device)" }
            let environment = BuildEnvironment.current(belmVersion: BELM.configuration.version, compute: compute, command: command)
            let progress = TerminalProgress()
            let quiet = self.quiet
            var builder = SiteBuilder(config: siteConfig, runner: runner, backend: computeBackend,
                                      cache: ResultCache(folder: URL(fileURLWithPath: cache)),
                                      output: URL(fileURLWithPath: out).standardizedFileURL, environment: environment,
                                      report: { if !quiet { progress.handle($0) } })
            builder.keyBackend = chosen.backendName
            try builder.build(mode)
        } catch let error as ShardError {
            FileHandle.standardError.write(Data(("error: --shard: \(error.description)\n").escapingControlCharacters.utf8))
            throw ExitCode.failure
        } catch let error as MissingItems {
            FileHandle.standardError.write(Data((error.description.escapingControlCharacters + "\n").utf8))
            throw ExitCode.failure
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

}

extension Optional {
    func unwrap(or error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}

