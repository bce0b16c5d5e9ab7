import Foundation
import Testing
@testable import Compute

/// Hand-computed cases for the reference backend: if these hold, the CPU backend can judge the others.
@Suite struct CPUBackendTests {
    let cpu = CPUBackend()

    @Test func linearCombinationAndBroadcasting() {
        let a = cpu.tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = cpu.tensor([10, 20, 30], shape: [3])
        #expect(cpu.linearCombination([(a, 2), (a, -0.5)]).values() == [1.5, 3, 4.5, 6, 7.5, 9])
        #expect(cpu.add(a, b).values() == [11, 22, 33, 14, 25, 36])
        let column = cpu.tensor([1, -1], shape: [2, 1])
        #expect(cpu.multiply(a, column).values() == [1, 2, 3, -4, -5, -6])
    }

    @Test func layoutOps() {
        let x = cpu.tensor((0..<6).map(Float.init), shape: [2, 3])
        #expect(cpu.permute(x, [1, 0]).values() == [0, 3, 1, 4, 2, 5])
        #expect(cpu.concat([x, x], axis: 1).values() == [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        #expect(cpu.slice(x, axis: 1, range: 1..<3).values() == [1, 2, 4, 5])
        let image = cpu.tensor([1, 2, 3, 4], shape: [1, 1, 2, 2])
        #expect(cpu.upsampleNearest2x(image).values() == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        #expect(cpu.avgPool2x(image).values() == [2.5])
        #expect(cpu.embedding(x, indices: [1, 1, 0]).values() == [3, 4, 5, 3, 4, 5, 0, 1, 2])
    }

    @Test func convolutionMatchesHandComputation() {
        // 3×3 input, 2×2 kernel of ones, padding 0: each output sums a 2×2 window, plus bias.
        let x = cpu.tensor((1...9).map(Float.init), shape: [1, 1, 3, 3])
        let w = cpu.tensor([1, 1, 1, 1], shape: [1, 1, 2, 2])
        let b = cpu.tensor([0.5], shape: [1])
        #expect(cpu.conv2d(x, weight: w, bias: b, stride: 1, padding: 0).values() == [12.5, 16.5, 24.5, 28.5])
        // Padding 1, stride 2 over the same input: corners of the padded grid.
        let strided = cpu.conv2d(x, weight: w, bias: nil, stride: 2, padding: 1)
        #expect(strided.shape == [1, 1, 2, 2])
        #expect(strided.values() == [1, 5, 11, 28])
        // One zero row and column after only (diffusers' Downsample2D), stride 2: windows at (0,0), (0,2), (2,0), (2,2).
        let trailing = cpu.conv2d(x, weight: w, bias: nil, stride: 2, padding: ConvPadding(before: 0, after: 1))
        #expect(trailing.shape == [1, 1, 2, 2])
        #expect(trailing.values() == [12, 9, 15, 9])
    }

    @Test func normalisationsHaveZeroMeanUnitVariance() {
        let x = cpu.tensor([1, 2, 3, 4, 10, 20, 30, 40], shape: [1, 2, 4])
        let grouped = cpu.groupNorm(x, groups: 2, eps: 0, weight: nil, bias: nil, silu: false).values()
        let expected: [Float] = [-1.3416408, -0.4472136, 0.4472136, 1.3416408]
        for (a, e) in zip(grouped, expected + expected) { #expect(abs(a - e) < 1e-6) }
        let layered = cpu.layerNorm(x, weight: cpu.tensor([2, 2, 2, 2], shape: [4]), bias: cpu.tensor([1, 1, 1, 1], shape: [4]), eps: 0).values()
        for (a, e) in zip(layered, (expected + expected).map { 2 * $0 + 1 }) { #expect(abs(a - e) < 1e-6) }
    }

    @Test func linearMatmulSoftmax() {
        let x = cpu.tensor([1, 2], shape: [1, 2])
        let w = cpu.tensor([1, 0, 0, 1, 1, 1], shape: [3, 2])
        #expect(cpu.linear(x, weight: w, bias: cpu.tensor([0, 0, 1], shape: [3])).values() == [1, 2, 4])
        let a = cpu.tensor([1, 2, 3, 4], shape: [1, 2, 2])
        #expect(cpu.batchedMatmul(a, a, transposeB: false, scale: 1).values() == [7, 10, 15, 22])
        #expect(cpu.batchedMatmul(a, a, transposeB: true, scale: 2).values() == [10, 22, 22, 50])
        let s = cpu.softmax(cpu.tensor([0, log(3), -.infinity, -.infinity], shape: [2, 2])).values()
        #expect(abs(s[0] - 0.25) < 1e-7 && abs(s[1] - 0.75) < 1e-7)
        #expect(s[2] == 0 && s[3] == 0)
    }

    @Test func activations() {
        #expect(Activations.apply(.silu, 0) == 0)
        #expect(abs(Activations.gelu(1) - 0.8413447) < 1e-6)
        let g = cpu.geglu(cpu.tensor([2, 1], shape: [1, 2])).values()
        #expect(abs(g[0] - 2 * 0.8413447) < 1e-6)
    }
}

@Suite struct FLOPCountingBackendTests {
    @Test func countsDenseLayersAndPassesResultsThrough() {
        let cpu = CPUBackend()
        let counter = FLOPCountingBackend(wrapping: cpu)
        let x = counter.tensor((0..<(2 * 3 * 4 * 4)).map(Float.init), shape: [2, 3, 4, 4])
        let w = counter.tensor([Float](repeating: 0.5, count: 5 * 3 * 3 * 3), shape: [5, 3, 3, 3])
        let y = counter.conv2d(x, weight: w, bias: nil, stride: 1, padding: 1)
        #expect(y.backend === counter)
        // 2 images × 5 channels × 16 positions, each 3·3·3 multiply-adds.
        #expect(counter.flops == 2 * 2 * 5 * 16 * 27)
        let direct = cpu.conv2d(cpu.tensor(x.values(), shape: x.shape), weight: cpu.tensor(w.values(), shape: w.shape),
                                bias: nil, stride: 1, padding: 1)
        #expect(y.values() == direct.values())
        counter.reset()
        let a = counter.tensor([Float](repeating: 1, count: 2 * 3 * 4), shape: [2, 3, 4])
        _ = counter.linear(a, weight: counter.tensor([Float](repeating: 1, count: 7 * 4), shape: [7, 4]), bias: nil)
        #expect(counter.flops == 2 * 6 * 4 * 7)
        counter.reset()
        _ = counter.batchedMatmul(a, a, transposeB: true, scale: 1)
        #expect(counter.flops == 2 * 2 * 3 * 3 * 4)
    }
}
