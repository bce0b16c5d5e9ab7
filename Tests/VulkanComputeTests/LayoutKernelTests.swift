import Compute
import Testing
import VulkanCompute

@Suite struct LayoutKernelTests {
    @Test func permuteConcatSlice() throws {
        let h = try DifferentialHarness()
        let x = ([2, 3, 4, 5], h.random(120))
        for order in [[0, 2, 3, 1], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 2, 3], [0, 2, 1, 3]] {
            h.check("permute \(order)", [x]) { backend, t in backend.permute(t[0], order) }
        }
        h.check("permute rank 2", [([7, 9], h.random(63))]) { backend, t in backend.permute(t[0], [1, 0]) }
        h.check("permute NCHW→NHWC aligned", [([2, 8, 3, 5], h.random(240))]) { backend, t in backend.permute(t[0], [0, 2, 3, 1]) }
        h.check("permute NHWC→NCHW aligned", [([2, 3, 5, 8], h.random(240))]) { backend, t in backend.permute(t[0], [0, 3, 1, 2]) }
        h.check("permute rank 6", [([2, 1, 3, 2, 2, 3], h.random(72))]) { backend, t in backend.permute(t[0], [5, 3, 1, 0, 2, 4]) }
        // More outer rows than one grid axis holds: the general kernel.
        h.check("permute large outer", [([3, 70000, 2], h.random(420000))]) { backend, t in backend.permute(t[0], [1, 0, 2]) }
        for axis in 0..<4 {
            var other = x.0
            other[axis] = 3
            h.check("concat axis \(axis)", [x, (other, h.random(other.reduce(1, *))), x]) { backend, t in
                backend.concat(t, axis: axis)
            }
            h.check("slice axis \(axis)", [x]) { backend, t in backend.slice(t[0], axis: axis, range: 1..<x.0[axis]) }
        }
        let y = ([2, 4, 3, 8], h.random(192))
        for axis in 0..<4 {
            h.check("concat aligned axis \(axis)", [y, y]) { backend, t in backend.concat(t, axis: axis) }
            h.check("slice aligned axis \(axis)", [y]) { backend, t in backend.slice(t[0], axis: axis, range: 1..<y.0[axis]) }
        }
        h.expectNoValidationMessages()
    }

    @Test func resamplingAndEmbedding() throws {
        let h = try DifferentialHarness()
        h.check("upsample", [([2, 3, 5, 7], h.random(210))]) { backend, t in backend.upsampleNearest2x(t[0]) }
        h.check("avgPool even", [([2, 3, 6, 8], h.random(288))]) { backend, t in backend.avgPool2x(t[0]) }
        h.check("avgPool odd", [([1, 2, 5, 7], h.random(70))]) { backend, t in backend.avgPool2x(t[0]) }
        h.check("embedding", [([11, 6], h.random(66))]) { backend, t in backend.embedding(t[0], indices: [3, 0, 10, 3, 7]) }
        h.expectNoValidationMessages()
    }

    @Test func poolingAndBilinearResize() throws {
        let h = try DifferentialHarness()
        let x = ([2, 3, 9, 11], h.random(594))
        // The FID Inception network's windows: 3×3 stride 2 unpadded, 3×3 stride 1 padded by 1 (padding never
        // counts), a global 8×8 mean; and a rectangular window, an uneven fit.
        for kind in [Pooling.Kind.max, .average] {
            h.check("pool \(kind) 3/2", [x]) { backend, t in backend.pool2d(t[0], .square(kind, kernel: 3, stride: 2)) }
            h.check("pool \(kind) 3/1 pad 1", [x]) { backend, t in backend.pool2d(t[0], .square(kind, kernel: 3, stride: 1, padding: 1)) }
            h.check("pool \(kind) 2×5/2 pad 1", [x]) { backend, t in backend.pool2d(t[0], Pooling(kind, kernelHeight: 2, kernelWidth: 5, stride: 2, padding: 1)) }
        }
        h.check("global mean", [([2, 5, 8, 8], h.random(640))]) { backend, t in backend.pool2d(t[0], .square(.average, kernel: 8, stride: 1)) }
        // Up (to Inception's 299 from 32) and down, and unequal axes.
        h.check("resize up", [([1, 3, 32, 32], h.random(3072))]) { backend, t in backend.resizeBilinear(t[0], height: 299, width: 299) }
        h.check("resize down", [x]) { backend, t in backend.resizeBilinear(t[0], height: 4, width: 5) }
        h.check("resize mixed", [x]) { backend, t in backend.resizeBilinear(t[0], height: 13, width: 7) }
        h.expectNoValidationMessages()
    }

    @Test func reshapedTensorsShareValues() throws {
        let h = try DifferentialHarness()
        h.check("reshape then add", [([6, 4], h.random(24)), ([4], h.random(4))]) { backend, t in
            backend.add(t[0].reshaped([2, 3, 4]), t[1]).reshaped([24])
        }
        h.expectNoValidationMessages()
    }
}
