import Compute
import Tensors

/// Uploads a model's parameters to its backend as the model is built, so weights cross to the device once.
/// Scoped by diffusers' dotted module paths (`down_blocks.1.resnets.0`), which are also the tensor names.
public struct ParameterLoader {
    public let source: any WeightSource
    public let backend: any Backend
    public let prefix: String

    public init(source: any WeightSource, backend: any Backend, prefix: String = "") {
        self.source = source
        self.backend = backend
        self.prefix = prefix
    }

    public func scoped(_ path: String) -> ParameterLoader {
        ParameterLoader(source: source, backend: backend, prefix: qualified(path))
    }

    public func qualified(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    public func contains(_ name: String) -> Bool { source.contains(qualified(name)) }

    public func host(_ name: String, _ shape: [Int]) throws -> HostTensor {
        try source.tensor(qualified(name), shape: shape)
    }

    public func callAsFunction(_ name: String, _ shape: [Int]) throws -> Tensor {
        backend.tensor(try host(name, shape))
    }
}
