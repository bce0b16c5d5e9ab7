import Compute

/// The layout a GEMM or convolution kernel reads a weight in, described as the gather that makes it from the
/// weight's row-major values: the packed array is row-major over `dims`; the element at coordinates i holds
/// `values[Σ i[d]·strides[d]]` where every i[d] < extent[d], and zero in the padding beyond. Every packing is a
/// permutation of the weight's axes plus zero padding, so the row-major values can be gathered back from it
/// (`restoringGather`): that is what lets a weight keep a single device copy, in the layout its kernel reads.
struct PackedLayout: Hashable {
    let dims: [Int]
    let strides: [Int]
    let extent: [Int]
    /// How each value is stored: fp16 layouts are read through RGBA16F texel views.
    let precision: Precision

    init(dims: [Int], strides: [Int], extent: [Int], precision: Precision = .fp32) {
        precondition(dims.count == strides.count && dims.count == extent.count && zip(extent, dims).allSatisfy { $0 <= $1 },
                     "packed layout \(dims) with strides \(strides) and extent \(extent)")
        self.dims = dims
        self.strides = strides
        self.extent = extent
        self.precision = precision
    }

    /// Conv weights [Co][Ci][kh][kw] as [kh·kw][Cip][Cop] (`conv2d_texel`, `conv2d_shared`).
    static func convolution(co: Int, ci: Int, taps: Int, cip: Int, cop: Int, precision: Precision) -> PackedLayout {
        // The tap index ky·kw + kx has stride 1 in the source.
        PackedLayout(dims: [taps, cip, cop], strides: [1, taps, ci * taps], extent: [taps, ci, co], precision: precision)
    }

    /// Linear weights [outputs][inputs] transposed, as [Kp][Np] (the right operand of `gemm_texel`, `gemm_shared`).
    static func transposed(outputs: Int, inputs: Int, kp: Int, np: Int, precision: Precision) -> PackedLayout {
        PackedLayout(dims: [kp, np], strides: [1, inputs], extent: [inputs, outputs], precision: precision)
    }

    /// Floats the packed array holds, padding included.
    var floats: Int { dims.reduce(1, *) }

    /// Bytes the packed array holds.
    var bytes: Int { floats * precision.bytes }

    /// Values of the weight it packs (its padding excluded).
    var valueCount: Int { extent.reduce(1, *) }

    /// The gather from the packed array back to the row-major values: the packed axes ordered by their stride in
    /// the values (largest first) are the values' axes, and each reads the packed array at its row-major stride there.
    var restoringGather: (dims: [Int], strides: [Int]) {
        var packedStride = 1
        var packedStrides = [Int](repeating: 0, count: dims.count)
        for axis in dims.indices.reversed() {
            packedStrides[axis] = packedStride
            packedStride *= dims[axis]
        }
        // Axes of length one carry nothing (and may tie in stride with a real one).
        let axes = dims.indices.filter { extent[$0] > 1 }.sorted { strides[$0] > strides[$1] }
        // A permutation of row-major values: each axis's stride is the product of the extents after it.
        var expected = 1
        for axis in axes.reversed() {
            precondition(strides[axis] == expected, "packed layout \(dims) with strides \(strides) is not a permutation of row-major values")
            expected *= extent[axis]
        }
        guard !axes.isEmpty else { return ([1], [0]) }
        return (axes.map { extent[$0] }, axes.map { packedStrides[$0] })
    }
}
