import ArgumentParser

/// The `belm` command: experiments on exact-inversion diffusion samplers, and the site that shows them.
public struct BELM: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "belm",
        abstract: "Exact-inversion diffusion samplers (DDIM, EDICT, BDIA, O-BELM), their experiments, and a site that compares them.",
        version: "0.1.0",
        subcommands: [
            BuildCommand.self,
            PlanCommand.self,
            ServeCommand.self,
            SampleCommand.self,
            ReconstructCommand.self,
            InterpolateCommand.self,
            EditCommand.self,
            ConvergenceCommand.self,
            SamplerBenchCommand.self,
            DatasetCommand.self,
            FIDStatsCommand.self,
            FIDCommand.self,
            ForwardCommand.self,
            TokenizeCommand.self,
            BenchCommand.self,
            DevicesCommand.self,
        ]
    )

    public init() {}
}
