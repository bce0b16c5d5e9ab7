import ArgumentParser
import Compute
import Diffusion
import Foundation
import Models
import VulkanCompute

/// `belm bench`: UNet forward throughput with random weights at a real model's configuration.
/// FLOPs are counted from the layers the forward actually runs (conv, linear, attention matmuls).
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a UNet or VAE forward pass (a real model's configuration, random weights) on a backend.",
        discussion: "Compare with Benchmarks/unet2d_pytorch.py, which times PyTorch on the ddpm-cifar10-32 configuration."
    )

    public enum Configuration: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// google/ddpm-cifar10-32's UNet2DModel (12.4 GFLOP per 32×32 image).
        case ddpmCIFAR10 = "ddpm-cifar10-32"
        /// Stable Diffusion 1.5's UNet2DConditionModel on latents (batch 2 is one guided step), 77 text tokens.
        case sd15UNet = "sd15-unet"
        /// Stable Diffusion 1.5's VAE decoder, latents to images (tiled where the backend's binding limit needs it).
        case sd15VAEDecoder = "sd15-vae-decoder"
        /// Stable Diffusion 1.5's VAE encoder, images to the posterior mean (tiled likewise).
        case sd15VAEEncoder = "sd15-vae-encoder"
    }

    @Option(help: "The model configuration: \(Configuration.allCases.map(\.rawValue).joined(separator: "|")).")
    public var configuration: Configuration = .ddpmCIFAR10

    @Option(help: "Image side in pixels (default: 32 for ddpm-cifar10-32, 512 for the sd15 parts, which work on side/8 latents).")
    public var resolution: Int?

    @Option(parsing: .upToNextOption, help: "Batch sizes to time.")
    public var batchSizes: [Int] = [1, 8, 32]

    @Option(help: "Timed forward passes per batch size (after one untimed warm-up pass).")
    public var repeats: Int = 3

    @OptionGroup public var backendOptions: BackendOptions

    public init() {}

    public func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batch-sizes must be positive") }
        if let resolution, resolution < 8 || resolution % 8 != 0 {
            throw ValidationError("--resolution must be a positive multiple of 8")
        }
    }

    public func run() throws {
        let counter = FLOPCountingBackend(wrapping: try backendOptions.makeBackend())
        // One forward pass at a batch size, built once per batch size outside the timed loop.
        let prepare: (Int) throws -> () throws -> Tensor
        let side: Int
        switch configuration {
        case .ddpmCIFAR10, .sd15UNet:
            let sdConfiguration = UNet2DConditionConfiguration.stableDiffusion15()
            side = configuration == .ddpmCIFAR10 ? resolution ?? 32 : (resolution ?? 512) / 8
            if configuration == .sd15UNet {
                // Refuse before building 3.4 GB of weights when a step cannot fit the backend's bindings.
                let limit = counter.maxTensorBytes
                for batch in batchSizes {
                    let bytes = sdConfiguration.largestBufferBytes(batch: batch, latentHeight: side, latentWidth: side, contextLength: 77,
                                                                   limitBytes: limit)
                    guard bytes <= limit else {
                        throw ValidationError("--batch-sizes \(batch) at --resolution \(side * 8) needs \(bytes >> 20) MiB buffers; \(counter.name) binds \(limit >> 20) MiB: use a smaller batch or resolution")
                    }
                }
            }
            let model = configuration == .ddpmCIFAR10
                ? try DiffusersUNet(configuration: UNet2DConfiguration.ddpmCIFAR10(), weights: RandomWeights(), backend: counter,
                                    precision: backendOptions.precision)
                : try DiffusersUNet(configuration: sdConfiguration, weights: RandomWeights(), backend: counter, precision: backendOptions.precision)
            prepare = { batch in
                let x = counter.tensor(Self.pattern(batch * model.sampleChannels * side * side, 0.37), shape: [batch, model.sampleChannels, side, side])
                let timesteps = (0..<batch).map { Double((137 * $0) % 1000) }
                let conditioning: Conditioning = model.crossAttentionDim.map { dim in
                    .text(counter.tensor(Self.pattern(batch * 77 * dim, 0.11), shape: [batch, 77, dim]))
                } ?? .unconditional
                return { try model.forward(x, timesteps: timesteps, conditioning: conditioning) }
            }
        case .sd15VAEDecoder, .sd15VAEEncoder:
            let vae = try AutoencoderKL(configuration: .stableDiffusion15(), weights: RandomWeights(), backend: counter,
                                        precision: backendOptions.precision)
            side = (resolution ?? 512) / 8
            let decoding = configuration == .sd15VAEDecoder
            prepare = { batch in
                let plan = decoding ? try vae.decodePlan(batch: batch, latentHeight: side, latentWidth: side)
                    : try vae.encodePlan(batch: batch, imageHeight: 8 * side, imageWidth: 8 * side)
                print("plan: \(plan)")
                if decoding {
                    let latent = counter.tensor(Self.pattern(batch * 4 * side * side, 0.37), shape: [batch, 4, side, side])
                    return { try vae.decode(latent) }
                }
                let image = counter.tensor(Self.pattern(batch * 3 * 64 * side * side, 0.013), shape: [batch, 3, 8 * side, 8 * side])
                return { try vae.encodeMean(image) }
            }
        }
        print("\(configuration.rawValue) forward (random weights) on \(configuration == .sd15VAEEncoder ? 8 * side : side)² inputs, backend \(counter.name), \(backendOptions.precision.rawValue) weights")
        print("batch  seconds/forward  samples/s  GFLOP/sample  GFLOP/s")
        for batch in batchSizes {
            let forward = try prepare(batch)
            counter.reset()
            _ = try forward().values()
            let flops = counter.flops
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<repeats {
                // Reading the result back waits for the backend to finish.
                _ = try forward().values()
            }
            let elapsed = clock.now - start
            let seconds = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) / Double(repeats)
            print(String(format: "%5d  %15.4f  %9.3f  %12.2f  %7.2f", batch, seconds, Double(batch) / seconds,
                         flops / Double(batch) / 1e9, flops / seconds / 1e9))
        }
        if let vulkan = counter.wrapped as? VulkanBackend {
            // lavapipe's heap size is advisory: it allocates beyond it from host memory.
            print(String(format: "device memory held: %.2f GiB (the device reports %.2f GiB of device-local heap)",
                         Double(vulkan.reservedDeviceBytes) / Double(1 << 30), Double(vulkan.device.deviceLocalMemory) / Double(1 << 30)))
        }
    }

    /// Deterministic input values of order one.
    static func pattern(_ count: Int, _ frequency: Double) -> [Float] {
        (0..<count).map { Float(sin(Double($0) * frequency)) }
    }
}
