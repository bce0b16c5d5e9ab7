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
        /// Stable Diffusion XL base 1.0's UNet (2.6 G parameters) on latents, 77 tokens of 2048-wide text states, the
        /// 1280-wide pooled embedding and six micro-conditioning time ids (batch 2 is one guided step).
        case sdxlUNet = "sdxl-unet"
        /// Stable Diffusion 1.5's VAE decoder, latents to images (tiled where the backend's binding limit needs it).
        case sd15VAEDecoder = "sd15-vae-decoder"
        /// Stable Diffusion 1.5's VAE encoder, images to the posterior mean (tiled likewise).
        case sd15VAEEncoder = "sd15-vae-encoder"

        /// The VAE parts, whose activations stay fp32 at any precision.
        var isVAE: Bool { self == .sd15VAEDecoder || self == .sd15VAEEncoder }
    }

    @Option(help: "The model configuration: \(Configuration.allCases.map(\.rawValue).joined(separator: "|")).")
    public var configuration: Configuration = .ddpmCIFAR10

    @Option(help: "Image side in pixels (default: 32 for ddpm-cifar10-32, 512 for the sd15 parts and 1024 for sdxl-unet, which work on side/8 latents).")
    public var resolution: Int?

    @Flag(help: "For sd15-unet and sdxl-unet: print the memory estimate per batch size and stop, building no weights.")
    public var estimateOnly = false

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
        case .ddpmCIFAR10, .sd15UNet, .sdxlUNet:
            let sdConfiguration = configuration == .sdxlUNet ? UNet2DConditionConfiguration.stableDiffusionXL() : .stableDiffusion15()
            side = configuration == .ddpmCIFAR10 ? resolution ?? 32 : (resolution ?? (configuration == .sdxlUNet ? 1024 : 512)) / 8
            if configuration != .ddpmCIFAR10 {
                // Refuse before building gigabytes of weights (3.4 GB for SD 1.5, 10.3 GB for SDXL) when a step
                // cannot fit the backend's bindings or memory.
                let limit = counter.maxTensorBytes, memory = Self.memoryBytes(of: counter)
                for batch in batchSizes {
                    let estimate = UNetMemoryEstimate(configuration: sdConfiguration, batch: batch, latentSide: side, contextLength: 77, limitBytes: limit,
                                                      precision: backendOptions.precision)
                    print("memory estimate, batch \(batch) at \(side * 8)² (\(side)² latents): \(estimate)")
                    guard estimate.largestBufferBytes <= limit else {
                        throw ValidationError("--batch-sizes \(batch) at --resolution \(side * 8) needs \(estimate.largestBufferBytes >> 20) MiB buffers; \(counter.name) binds \(limit >> 20) MiB: use a smaller batch or resolution")
                    }
                    guard estimate.totalBytes <= memory.bytes else {
                        throw ValidationError("--batch-sizes \(batch) at --resolution \(side * 8) needs \(estimate); \(memory.name) has \(String(format: "%.2f", Double(memory.bytes) / Double(1 << 30))) GiB: use a device with more memory")
                    }
                }
                if estimateOnly { return }
            }
            let model = configuration == .ddpmCIFAR10
                ? try DiffusersUNet(configuration: UNet2DConfiguration.ddpmCIFAR10(), weights: RandomWeights(), backend: counter,
                                    precision: backendOptions.precision)
                : try DiffusersUNet(configuration: sdConfiguration, weights: RandomWeights(), backend: counter, precision: backendOptions.precision)
            prepare = { batch in
                let x = counter.tensor(Self.pattern(batch * model.sampleChannels * side * side, 0.37), shape: [batch, model.sampleChannels, side, side])
                let timesteps = (0..<batch).map { Double((137 * $0) % 1000) }
                var conditioning: Conditioning = model.crossAttentionDim.map { dim in
                    .text(counter.tensor(Self.pattern(batch * 77 * dim, 0.11), shape: [batch, 77, dim]))
                } ?? .unconditional
                if case .text(let states) = conditioning, let textTime = model.textTimeEmbedding {
                    // SDXL: the pooled width is what the six time ids leave of the added embedding's input.
                    let pooled = textTime.inputChannels - 6 * textTime.timeIDChannels
                    let ids = (0..<batch).flatMap { _ in MicroConditioning.image(height: 8 * side, width: 8 * side).timeIDs }
                    conditioning = .textAndAdded(states: states, pooled: counter.tensor(Self.pattern(batch * pooled, 0.07), shape: [batch, pooled]), timeIDs: ids)
                }
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
        // The VAE keeps fp32 activations at any precision (force_upcast); the UNets store theirs at the precision.
        let stored = backendOptions.precision == .fp32 ? "fp32" : configuration.isVAE ? "fp16 weights, fp32 activations" : "fp16 weights and activations"
        print("\(configuration.rawValue) forward (random weights) on \(configuration == .sd15VAEEncoder ? 8 * side : side)² inputs, backend \(counter.name), \(stored)")
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

    /// The memory a forward pass lives in: host memory for the CPU backend and for Vulkan on a CPU device
    /// (lavapipe, whose heap size is advisory), the device-local heap on a GPU.
    static func memoryBytes(of backend: FLOPCountingBackend) -> (bytes: Int, name: String) {
        if let vulkan = backend.wrapped as? VulkanBackend, vulkan.device.kind != .cpu {
            return (Int(clamping: vulkan.device.deviceLocalMemory), "\(vulkan.device.name)'s device-local heap")
        }
        return (Int(clamping: ProcessInfo.processInfo.physicalMemory), "this machine's memory")
    }

    /// Deterministic input values of order one.
    static func pattern(_ count: Int, _ frequency: Double) -> [Float] {
        (0..<count).map { Float(sin(Double($0) * frequency)) }
    }
}
