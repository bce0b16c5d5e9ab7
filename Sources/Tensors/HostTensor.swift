/// Element types a tensor file can hold. belm computes in float32; the others are converted on load.
public enum DType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    public var byteSize: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool { self == .f64 || self == .f32 || self == .f16 || self == .bf16 }
}

/// A tensor in host memory, row-major: what files hold and what crosses a backend boundary.
public struct HostTensor: Equatable, Sendable {
    public var shape: [Int]
    public var scalars: [Float]

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) holds \(shape.reduce(1, *)) values, not \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    public var count: Int { scalars.count }
}

/// Integer tensors (timesteps, class labels, token ids) kept exact rather than squeezed through Float.
public struct HostIntTensor: Equatable, Sendable {
    public var shape: [Int]
    public var scalars: [Int64]

    public init(shape: [Int], scalars: [Int64]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) holds \(shape.reduce(1, *)) values, not \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }
}
