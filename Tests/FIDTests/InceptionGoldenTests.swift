import Compute
import Foundation
import Models
import Tensors
import Testing
import VulkanCompute
@testable import FID

/// The FID Inception network and its new ops against pytorch-fid and torch (Fixtures/generate_inception.py),
/// with stand-in weights drawn the same way on both sides.
struct InceptionGoldenTests {
    static func fixture(_ name: String) throws -> SafetensorsFile { try SafetensorsFile(contentsOf: FIDFixtures.url(name)) }

    @Test func seededWeightsMatchThePythonGenerator() throws {
        let expected = try FIDFixtures.json("seeded_weights.json") as! [String: [Double]]
        let weights = SeededInceptionWeights()
        let shapes = ["Conv2d_1a_3x3.conv.weight": [32, 3, 3, 3], "Mixed_7c.branch_pool.bn.running_var": [192],
                      "Mixed_6b.branch7x7_2.bn.bias": [128]]
        for (name, values) in expected {
            let drawn = try weights.tensor(name, shape: shapes[name]!).scalars.prefix(4)
            // Compared as float32: the weights are float32, and Foundation's JSON parser may miss a double's last bit.
            #expect(Array(drawn) == values.map { Float($0) }, "\(name)")
        }
    }

    @Test func poolingAndResizeMatchTorch() throws {
        let file = try Self.fixture("ops.safetensors")
        let cpu = CPUBackend()
        let x = cpu.tensor(try file.floatTensor("x")), small = cpu.tensor(try file.floatTensor("small"))
        let cases: [(String, Tensor)] = [
            ("max_3_2", cpu.pool2d(x, .square(.max, kernel: 3, stride: 2))),
            ("max_3_1_1", cpu.pool2d(x, .square(.max, kernel: 3, stride: 1, padding: 1))),
            ("avg_3_1_1", cpu.pool2d(x, .square(.average, kernel: 3, stride: 1, padding: 1))),
            ("resize_299", cpu.resizeBilinear(small, height: 299, width: 299)),
            ("resize_3x4", cpu.resizeBilinear(x, height: 3, width: 4)),
        ]
        for (name, actual) in cases {
            let expected = try file.floatTensor(name)
            #expect(actual.shape == expected.shape, "\(name)")
            #expect(maxError(actual.values(), expected.scalars) <= 1e-6, "\(name)")
        }
    }

    @Test func featuresMatchPytorchFIDWithoutResize() throws {
        let cpu = CPUBackend()
        try expectFeatures("inception_75.safetensors", resizedTo: nil, network: try FIDInception(weights: SeededInceptionWeights(), backend: cpu), on: cpu)
    }

    @Test func featuresMatchPytorchFIDOnVulkan() throws {
        // The resize to 299 on Vulkan is covered by FolderStatisticsTests (pytorch-fid's folder statistics).
        _ = try SharedVulkanInception.shared.use { network, vulkan in
            try expectFeatures("inception_75.safetensors", resizedTo: nil, network: network, on: vulkan)
        }
    }

    private func expectFeatures(_ fixture: String, resizedTo side: Int?, network: FIDInception, on backend: any Backend) throws {
        let file = try Self.fixture(fixture)
        let features = network.features(backend.tensor(try file.floatTensor("images")), resizedTo: side)
        let expected = try file.floatTensor("features")
        #expect(features.shape == expected.shape)
        let scale = expected.scalars.map(abs).max()!
        #expect(maxError(features.values(), expected.scalars) <= 1e-4 * scale, "\(fixture) on \(backend.name)")
    }
}

func maxError(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
