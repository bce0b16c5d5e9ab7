import Compute
import Tensors

/// Uploads a model's parameters to its backend as the model is built, so weights cross to the device once.
/// Scoped by diffusers' dotted module paths (`down_blocks.1.resnets.0`), which are also the tensor names.
/// GEMM and convolution weights (`matrixWeight`) are stored at `precision`; every other parameter (biases,
/// normalization affines, embedding tables) stays fp32.
public struct ParameterLoader {
    public let source: any WeightSource
    public let backend: any Backend
    public let prefix: String
    public let precision: Precision

    public init(source: any WeightSource, backend: any Backend, prefix: String = "", precision: Precision = .standard) {
        self.source = source
        self.backend = backend
        self.prefix = prefix
        self.precision = precision
    }

    public func scoped(_ path: String) -> ParameterLoader {
        ParameterLoader(source: source, backend: backend, prefix: qualified(path), precision: precision)
    }

    public func qualified(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    public func contains(_ name: String) -> Bool { source.contains(qualified(name)) }

    public func host(_ name: String, _ shape: [Int]) throws -> HostTensor {
        try source.tensor(qualified(name), shape: shape)
    }

    public func callAsFunction(_ name: String, _ shape: [Int]) throws -> Tensor {
        backend.tensor(try host(name, shape))
    }

    /// The weight of a linear layer or convolution, stored at the loader's precision.
    public func matrixWeight(_ name: String, _ shape: [Int]) throws -> Tensor {
        backend.weight(try host(name, shape), precision: precision)
    }
}
