import Compute
import Dispatch
import Diffusion
import Foundation
import Models
import VulkanCompute

// Micro-benchmark of the compute-heavy ops (conv2d, linear, batchedMatmul) on the Vulkan backend beside the
// CPU reference backend, at shapes of the DDPM CIFAR-10 UNet. Not a test: run it in release mode,
//   swift run -c release kernel-bench [--cpu] [--repeats N] [--only SUBSTRING]
//   swift run -c release kernel-bench --unet BATCH [--repeats N]   (whole DDPM CIFAR-10 UNet, random weights)
// Each Vulkan figure is the median over 3 timings of `repeats` back-to-back calls recorded into the stream and
// waited for once, so it includes operand re-layout (NHWC input copy) but not the one-time weight repacking.

let arguments = CommandLine.arguments
let runCPU = arguments.contains("--cpu")
let repeats = arguments.firstIndex(of: "--repeats").flatMap { Int(arguments[$0 + 1]) } ?? 5

struct Case {
    let label: String
    let flops: Double
    let inputs: [[Int]]
    let run: (any Backend, [Tensor]) -> Tensor
}

func conv(_ x: [Int], _ co: Int, kernel: Int = 3, stride: Int = 1) -> Case {
    let padding = kernel / 2
    let ho = (x[2] + 2 * padding - kernel) / stride + 1, wo = (x[3] + 2 * padding - kernel) / stride + 1
    let flops = 2.0 * Double(x[0] * co * ho * wo * x[1] * kernel * kernel)
    return Case(label: "conv2d x\(x) w[\(co),\(x[1]),\(kernel),\(kernel)] s\(stride)", flops: flops,
                inputs: [x, [co, x[1], kernel, kernel], [co]]) { b, t in
        b.conv2d(t[0], weight: t[1], bias: t[2], stride: stride, padding: padding)
    }
}

let only = arguments.firstIndex(of: "--only").map { arguments[$0 + 1] }
let allCases: [Case] = [
    conv([8, 128, 32, 32], 128),
    conv([1, 128, 32, 32], 128),
    conv([8, 256, 16, 16], 256),
    conv([8, 256, 8, 8], 256),
    conv([8, 256, 4, 4], 256),
    conv([8, 128, 32, 32], 128, stride: 2),
    conv([8, 384, 16, 16], 256, kernel: 1),
    conv([8, 3, 32, 32], 128),
    Case(label: "permute NCHW→NHWC [8,128,32,32] (1 flop per element)", flops: 8 * 128 * 32 * 32, inputs: [[8, 128, 32, 32]]) { b, t in
        b.permute(t[0], [0, 2, 3, 1])
    },
    Case(label: "linearCombination 2 × [8,128,32,32]", flops: 8 * 128 * 32 * 32, inputs: [[8, 128, 32, 32], [8, 128, 32, 32]]) { b, t in
        b.linearCombination([(t[0], 0.5), (t[1], -0.25)])
    },
    Case(label: "add [8,128,32,32] + [128,1,1]", flops: 8 * 128 * 32 * 32, inputs: [[8, 128, 32, 32], [128, 1, 1]]) { b, t in
        b.add(t[0], t[1])
    },
    Case(label: "linear [1024,512]·[512,512]ᵀ", flops: 2.0 * 1024 * 512 * 512, inputs: [[1024, 512], [512, 512], [512]]) { b, t in
        b.linear(t[0], weight: t[1], bias: t[2])
    },
    Case(label: "linear [8,512]·[512,512]ᵀ (time embedding)", flops: 2.0 * 8 * 512 * 512, inputs: [[8, 512], [512, 512], [512]]) { b, t in
        b.linear(t[0], weight: t[1], bias: t[2])
    },
    Case(label: "bmm q·kᵀ [8,256,256]·[8,256,256]ᵀ", flops: 2.0 * 8 * 256 * 256 * 256, inputs: [[8, 256, 256], [8, 256, 256]]) { b, t in
        b.batchedMatmul(t[0], t[1], transposeB: true, scale: 0.0625)
    },
    Case(label: "bmm p·v [8,256,256]·[8,256,256]", flops: 2.0 * 8 * 256 * 256 * 256, inputs: [[8, 256, 256], [8, 256, 256]]) { b, t in
        b.batchedMatmul(t[0], t[1], transposeB: false, scale: 1)
    },
]

/// Wall-clock and process CPU seconds (all threads, lavapipe's included) of `body`. On a shared machine the
/// CPU time shows what the kernels cost when the wall clock is inflated by other load.
let cases = allCases.filter { only == nil || $0.label.contains(only!) }

func seconds(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    func cpuNow() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuNow()
    body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpuNow() - cpuStart)
}

func random(_ shape: [Int]) -> [Float] { (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1) } }

let vulkan = try VulkanBackend()
let cpu = CPUBackend()

/// The whole ddpm-cifar10-32 UNet (random weights): images per second, GFLOP/s at 12.4 GFLOP per image, and a
/// per-kernel breakdown from a profiled forward pass.
@MainActor func benchmarkUNet(batch: Int) throws {
    let model = try UNet2DModel(configuration: .ddpmCIFAR10(), weights: RandomWeights(), backend: vulkan)
    let sample = vulkan.tensor((0..<(batch * 3 * 32 * 32)).map { _ in Float.random(in: -1...1) }, shape: [batch, 3, 32, 32])
    let timesteps = (0..<batch).map { Double(10 + 37 * $0 % 990) }
    _ = try model.forward(sample, timesteps: timesteps, conditioning: .unconditional).values()
    var times: [(wall: Double, cpu: Double)] = []
    for _ in 0..<repeats {
        var failure: Error?
        times.append(seconds {
            do { _ = try model.forward(sample, timesteps: timesteps, conditioning: .unconditional).values() } catch { failure = error }
        })
        if let failure { throw failure }
    }
    let (wall, cpuSeconds) = times.sorted { $0.wall < $1.wall }[times.count / 2]
    let gflop = 12.4 * Double(batch)
    print("UNet ddpm-cifar10-32 batch \(batch) on \(vulkan.device.name): \(String(format: "%.1f", wall * 1e3)) ms per forward, "
        + "\(String(format: "%.2f", Double(batch) / wall)) images/s, \(String(format: "%.1f", gflop / wall)) GFLOP/s "
        + "(CPU time \(String(format: "%.1f", cpuSeconds * 1e3)) ms: \(String(format: "%.1f", gflop / cpuSeconds)) GFLOP per CPU-second)")
    vulkan.profiling = true
    _ = try model.forward(sample, timesteps: timesteps, conditioning: .unconditional).values()
    vulkan.profiling = false
    let profile = vulkan.takeKernelProfile()
    let total = profile.reduce(0) { $0 + $1.seconds }
    let clock = vulkan.profileUsesDeviceTimestamps ? "device timestamps" : "wall clock"
    print("kernel | dispatches | ms (profiled one dispatch at a time, \(clock)) | share")
    for entry in profile {
        print("\(entry.kernel) | \(entry.count) | \(String(format: "%.1f", entry.seconds * 1e3)) | \(String(format: "%.1f%%", 100 * entry.seconds / total))")
    }
}

if let index = arguments.firstIndex(of: "--unet"), let batch = Int(arguments[index + 1]) {
    try benchmarkUNet(batch: batch)
    exit(0)
}

print("device: \(vulkan.device.name) (\(vulkan.device.kind.rawValue)); repeats \(repeats); CPU backend \(runCPU ? "on" : "off (--cpu)")")
print("op | Vulkan ms | Vulkan GFLOP/s | CPU-seconds ms | GFLOP per CPU-second | CPU backend GFLOP/s | ratio")
for c in cases {
    let host = c.inputs.map(random)
    let tensors = zip(host, c.inputs).map { vulkan.tensor($0, shape: $1) }
    _ = c.run(vulkan, tensors).values()  // warm-up: pipelines, weight repacking
    var times: [(wall: Double, cpu: Double)] = []
    for _ in 0..<3 {
        let measured = seconds {
            var results: [Tensor] = []
            for _ in 0..<repeats { results.append(c.run(vulkan, tensors)) }
            vulkan.synchronize()
        }
        times.append((measured.wall / Double(repeats), measured.cpu / Double(repeats)))
    }
    let (t, cpuSeconds) = times.sorted { $0.wall < $1.wall }[1]
    let gflops = c.flops / t / 1e9
    var cpuColumn = "-", ratioColumn = "-"
    if runCPU {
        let cpuTensors = zip(host, c.inputs).map { cpu.tensor($0, shape: $1) }
        let tc = seconds { _ = c.run(cpu, cpuTensors) }.wall
        cpuColumn = String(format: "%.2f", c.flops / tc / 1e9)
        ratioColumn = String(format: "%.1f×", tc / t)
    }
    print("\(c.label) | \(String(format: "%.2f", t * 1e3)) | \(String(format: "%.1f", gflops)) | "
        + "\(String(format: "%.2f", cpuSeconds * 1e3)) | \(String(format: "%.1f", c.flops / cpuSeconds / 1e9)) | \(cpuColumn) | \(ratioColumn)")
}
