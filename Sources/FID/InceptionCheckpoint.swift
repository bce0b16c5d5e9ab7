import Foundation
import Models
import Tensors

/// The FID Inception weights: a safetensors file holding pytorch-fid's `pt_inception-2015-12-05-6726825d.pth`
/// under its own tensor names (`Conv2d_1a_3x3.conv.weight`, `Mixed_7c.branch_pool.bn.running_var`, …), F32 or F16.
/// The classifier (`fc.*`) and batch-norm counters (`*.num_batches_tracked`) may be present and are not used.
public final class InceptionCheckpoint: WeightSource {
    /// The one-line conversion from pytorch-fid's release file, which belm cannot download or unpickle itself.
    public static let conversion = """
        python3 -c "import torch, safetensors.torch as st; st.save_file(torch.load('pt_inception-2015-12-05-6726825d.pth', map_location='cpu'), 'pt_inception-2015-12-05.safetensors')"
        """
    /// Where the weights come from and how to convert them, for messages that refuse a missing file.
    public static var whereToGetItText: String { whereToGetIt }
    static let whereToGetIt = "pytorch-fid's weights are https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth; convert them once with:\n  \(conversion)"

    public let file: SafetensorsFile
    private var used: Set<String> = []

    public init(contentsOf url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FIDError("\(url.path): no such Inception weights file. \(Self.whereToGetIt)")
        }
        do {
            file = try SafetensorsFile(contentsOf: url)
        } catch let error as TensorFileError {
            throw FIDError("\(error.description). The Inception weights must be a safetensors file; \(Self.whereToGetIt)")
        }
    }

    public func contains(_ name: String) -> Bool { file.entries[name] != nil }

    public func tensor(_ name: String, shape: [Int]) throws -> HostTensor {
        guard let entry = file.entries[name] else {
            throw FIDError("\(file.url.path): has no tensor '\(name)', which pytorch-fid's Inception network needs; the file is not the FID Inception weights. \(Self.whereToGetIt)")
        }
        guard entry.dtype.isFloatingPoint, entry.shape == shape else {
            throw FIDError("\(file.url.path): tensor '\(name)' is \(entry.dtype.rawValue) \(entry.shape), but pytorch-fid's Inception network needs a floating-point \(shape); the file is not the FID Inception weights")
        }
        used.insert(name)
        return HostTensor(shape: shape, scalars: try file.floatTensor(name).scalars)
    }

    public func requireEverythingUsed() throws {
        let unused = file.names.filter { !used.contains($0) && !$0.hasPrefix("fc.") && !$0.hasSuffix(".num_batches_tracked") }
        guard unused.isEmpty else {
            throw FIDError("\(file.url.path): holds \(unused.count) tensors pytorch-fid's Inception network does not have (\(unused.prefix(4).joined(separator: ", "))\(unused.count > 4 ? ", …" : "")); the file is not the FID Inception weights")
        }
    }
}

/// Deterministic stand-in weights for the FID Inception network, the same in Swift and in the Python generator
/// of the golden files (Tests/FIDTests/Fixtures/generate_inception.py), so that only inputs and outputs need
/// committing. Each tensor's values come from SplitMix64 seeded by the FNV-1a hash of its name: value i is
/// low + (high − low)·u, u = (the (i+1)-th output >> 40)·2⁻²⁴, exact in float32 on both sides. Convolutions get
/// ±√(6/fan-in) (He-uniform, so activations stay of order one through 94 ReLU layers); batch norms get weights
/// and variances in [0.5, 1.5], biases and means in [−0.2, 0.2], so a port that drops any of them fails.
public final class SeededInceptionWeights: WeightSource {
    public init() {}

    public func contains(_ name: String) -> Bool { true }
    public func requireEverythingUsed() throws {}

    public func tensor(_ name: String, shape: [Int]) throws -> HostTensor {
        let (low, high) = Self.range(name, shape: shape)
        var generator = SplitMix64(seed: Self.fnv1a(name))
        let scalars = (0..<shape.reduce(1, *)).map { _ -> Float in
            let unit = Float(generator.next() >> 40) * 0x1p-24
            return low + (high - low) * unit
        }
        return HostTensor(shape: shape, scalars: scalars)
    }

    static func range(_ name: String, shape: [Int]) -> (Float, Float) {
        if name.hasSuffix("conv.weight") {
            let bound = Float((6 / Double(shape.dropFirst().reduce(1, *))).squareRoot())
            return (-bound, bound)
        }
        if name.hasSuffix("bn.weight") || name.hasSuffix("bn.running_var") { return (0.5, 1.5) }
        return (-0.2, 0.2)
    }

    static func fnv1a(_ name: String) -> UInt64 {
        name.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}
