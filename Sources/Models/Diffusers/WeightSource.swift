import Foundation
import Tensors

/// Where a model's parameters come from: a checkpoint file, or random values for benchmarks.
public protocol WeightSource: AnyObject {
    /// The named tensor as float32; it must have `shape` (errors name the tensor and both shapes).
    func tensor(_ name: String, shape: [Int]) throws -> HostTensor
    func contains(_ name: String) -> Bool
    /// Called once a model has read all it needs: tensors it never asked for mean the config does not match
    /// the weights, an error naming the file.
    func requireEverythingUsed() throws
}

/// A safetensors checkpoint. Attention blocks saved by diffusers before 0.14 use other names (`query`, `key`,
/// `value`, `proj_attn`) and sometimes 1×1-conv shapes for their projections; both are read as diffusers does.
public final class SafetensorsWeights: WeightSource {
    public let file: SafetensorsFile
    private var used: Set<String> = []

    public init(contentsOf url: URL) throws {
        file = try SafetensorsFile(contentsOf: url)
    }

    private static let legacyAttentionNames = [
        ".to_q.": ".query.", ".to_k.": ".key.", ".to_v.": ".value.", ".to_out.0.": ".proj_attn.",
    ]

    private func storedName(_ name: String) -> String? {
        if file.entries[name] != nil { return name }
        for (current, legacy) in Self.legacyAttentionNames where name.contains(current) {
            let old = name.replacingOccurrences(of: current, with: legacy)
            if file.entries[old] != nil { return old }
        }
        return nil
    }

    public func contains(_ name: String) -> Bool { storedName(name) != nil }

    public func tensor(_ name: String, shape: [Int]) throws -> HostTensor {
        guard let stored = storedName(name) else {
            throw TensorFileError(file.url, "has no tensor '\(name)', which the model's config.json calls for; the weights do not belong to this config or the file is incomplete")
        }
        let entry = try file.entry(stored)
        guard entry.dtype.isFloatingPoint else {
            throw TensorFileError(file.url, "tensor '\(stored)' has dtype \(entry.dtype.rawValue); model weights must be floating point")
        }
        // A linear layer stored as a 1×1 convolution holds the same numbers.
        let sameNumbers = entry.shape == shape || (shape.count == 2 && entry.shape == shape + [1, 1])
        guard sameNumbers else {
            throw TensorFileError(file.url, "tensor '\(stored)' has shape \(entry.shape) but the model's config.json needs \(shape); the weights do not belong to this config")
        }
        used.insert(stored)
        let host = try file.floatTensor(stored)
        return HostTensor(shape: shape, scalars: host.scalars)
    }

    public func requireEverythingUsed() throws {
        let unused = file.names.filter { !used.contains($0) }
        guard unused.isEmpty else {
            throw TensorFileError(file.url, "holds \(unused.count) tensors the config.json does not call for (\(unused.prefix(4).joined(separator: ", "))\(unused.count > 4 ? ", …" : "")); the weights do not belong to this config")
        }
    }
}

/// Random parameters of the right shapes, for timing a configuration without its checkpoint. Values are
/// scaled by 1/√fan-in (norm scales 1, biases 0) so activations stay of order one through the network.
public final class RandomWeights: WeightSource {
    private var state: UInt64

    public init(seed: UInt64 = 0x5EED) { state = seed }

    public func contains(_ name: String) -> Bool { true }
    public func requireEverythingUsed() throws {}

    public func tensor(_ name: String, shape: [Int]) throws -> HostTensor {
        let count = shape.reduce(1, *)
        if name.hasSuffix("bias") { return HostTensor(shape: shape, scalars: [Float](repeating: 0, count: count)) }
        if shape.count == 1 { return HostTensor(shape: shape, scalars: [Float](repeating: 1, count: count)) }
        let fanIn = shape.dropFirst().reduce(1, *)
        let scale = Float(1 / Double(fanIn).squareRoot())
        return HostTensor(shape: shape, scalars: (0..<count).map { _ in scale * nextUniform() })
    }

    /// Uniform on [-√3, √3) (unit variance) from a SplitMix64 stream: reproducible and dependency-free.
    private func nextUniform() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(Double(z >> 11) / Double(1 << 53) * 2 - 1) * 1.7320508
    }
}
