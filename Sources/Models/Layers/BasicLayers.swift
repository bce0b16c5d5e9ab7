import Compute

/// torch's nn.Conv2d: weight [out, in, k, k], optional bias, zero padding (symmetric, as torch's).
struct Conv2d {
    let weight: Tensor
    let bias: Tensor?
    let stride: Int
    var padding: ConvPadding

    init(_ p: ParameterLoader, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int, bias: Bool = true) throws {
        weight = try p.matrixWeight("weight", [outChannels, inChannels, kernel, kernel])
        self.bias = bias ? try p("bias", [outChannels]) : nil
        self.stride = stride
        self.padding = .symmetric(padding)
    }

    var outChannels: Int { weight.shape[0] }

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.backend.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// torch's nn.Linear over the last axis: weight [out, in].
struct Linear {
    let weight: Tensor
    let bias: Tensor?

    init(_ p: ParameterLoader, inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
        weight = try p.matrixWeight("weight", [outFeatures, inFeatures])
        self.bias = bias ? try p("bias", [outFeatures]) : nil
    }

    init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }

    func callAsFunction(_ x: Tensor) -> Tensor { x.backend.linear(x, weight: weight, bias: bias) }
}

/// torch's nn.GroupNorm with affine parameters, optionally followed by SiLU (fused on the backend).
struct GroupNorm {
    let weight: Tensor
    let bias: Tensor
    let groups: Int
    let eps: Float

    init(_ p: ParameterLoader, channels: Int, groups: Int, eps: Double) throws {
        weight = try p("weight", [channels])
        bias = try p("bias", [channels])
        self.groups = groups
        self.eps = Float(eps)
    }

    func callAsFunction(_ x: Tensor, silu: Bool = false) -> Tensor {
        x.backend.groupNorm(x, groups: groups, eps: eps, weight: weight, bias: bias, silu: silu)
    }
}

/// torch's nn.LayerNorm over the last axis.
struct LayerNorm {
    let weight: Tensor
    let bias: Tensor
    let eps: Float

    init(_ p: ParameterLoader, features: Int, eps: Double) throws {
        weight = try p("weight", [features])
        bias = try p("bias", [features])
        self.eps = Float(eps)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { x.backend.layerNorm(x, weight: weight, bias: bias, eps: eps) }
}
