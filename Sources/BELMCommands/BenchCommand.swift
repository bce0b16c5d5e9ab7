import ArgumentParser
import Compute
import Diffusion
import Foundation
import Models

/// `belm bench`: UNet forward throughput at the google/ddpm-cifar10-32 configuration with random weights.
/// FLOPs are counted from the layers the forward actually runs (conv, linear, attention matmuls).
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a UNet forward pass (ddpm-cifar10-32 configuration, random weights) on a backend.",
        discussion: "Compare with Benchmarks/unet2d_pytorch.py, which times PyTorch on the same configuration."
    )

    @Option(parsing: .upToNextOption, help: "Batch sizes to time.")
    public var batchSizes: [Int] = [1, 8, 32]

    @Option(help: "Timed forward passes per batch size (after one untimed warm-up pass).")
    public var repeats: Int = 3

    @OptionGroup public var backendOptions: BackendOptions

    public init() {}

    public func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batch-sizes must be positive") }
    }

    public func run() throws {
        let counter = FLOPCountingBackend(wrapping: try backendOptions.makeBackend())
        let configuration = UNet2DConfiguration.ddpmCIFAR10()
        let model = try DiffusersUNet(configuration: configuration, weights: RandomWeights(), backend: counter)
        let size = configuration.sampleSize ?? 32
        print("UNet2DModel forward, google/ddpm-cifar10-32 configuration (random weights), backend \(counter.name)")
        print("batch  seconds/forward  images/s  GFLOP/image  GFLOP/s")
        for batch in batchSizes {
            let count = batch * configuration.inChannels * size * size
            let x = counter.tensor((0..<count).map { Float(sin(Double($0) * 0.37)) }, shape: [batch, configuration.inChannels, size, size])
            let timesteps = (0..<batch).map { Double((137 * $0) % 1000) }
            counter.reset()
            _ = try model.forward(x, timesteps: timesteps, conditioning: .unconditional).values()
            let flops = counter.flops
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<repeats {
                // Reading the result back waits for the backend to finish.
                _ = try model.forward(x, timesteps: timesteps, conditioning: .unconditional).values()
            }
            let elapsed = clock.now - start
            let seconds = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) / Double(repeats)
            print(String(format: "%5d  %15.4f  %8.2f  %11.2f  %7.2f", batch, seconds, Double(batch) / seconds,
                         flops / Double(batch) / 1e9, flops / seconds / 1e9))
        }
    }
}
