import ArgumentParser
import Experiments
import Foundation
import Site

/// `belm plan`: the site's work items, cached and stale, without running anything.
public struct PlanCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List the site's work items: cached and stale per experiment, and the model evaluations left.",
        discussion: """
            Runs nothing and writes nothing but the cache's file-digest memo. Run it while a Slurm array or an \\
            Indexed Job fills the cache to see how far it has got; when nothing is stale, \\
            `belm build --cached-only` writes the site.
            """)

    @Option(help: "The site config.")
    public var config: String = "site/belm.yml"

    @Option(help: "Folder of cached experiment results.")
    public var cache: String = ".belm-cache"

    @Option(help: "The backend whose results to look for: \(BackendChoice.allCases.map(\.rawValue).joined(separator: "|")) (default: the config's `backend:`, else cpu); part of every cache key.")
    public var backend: BackendChoice?

    @Flag(help: "Print the plan as JSON.")
    public var json = false

    public init() {}

    public func run() throws {
        do {
            let siteConfig = try SiteConfigLoader.load(path: config, backends: BackendChoice.allCases.map(\.rawValue))
            let chosen = try backend ?? BackendChoice(rawValue: siteConfig.backend).unwrap(or: ValidationError("unknown backend \(siteConfig.backend)"))
            let plan = try BuildPlan.make(config: siteConfig, runner: try ExperimentRunnerChoice.standard(), backend: chosen.backendName,
                                          cache: ResultCache(folder: URL(fileURLWithPath: cache)))
            let report = PlanReport(plan: plan, config: config, cache: cache)
            print(json ? try report.json() : report.text, terminator: "")
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data((error.description.escapingControlCharacters + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
