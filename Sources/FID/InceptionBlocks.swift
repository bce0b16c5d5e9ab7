import Compute
import Models

/// The mixed blocks of pytorch-fid's Inception network (torchvision's InceptionA–E with the FID patches).
/// Each concatenates its branches along the channels, in torchvision's order.

/// InceptionA (Mixed_5b/5c/5d) as FIDInceptionA: the pool branch averages without counting padding.
struct InceptionA {
    let branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branchPool: BasicConv2d

    init(_ p: ParameterLoader, _ inChannels: Int, poolFeatures: Int) throws {
        branch1x1 = try BasicConv2d(p.scoped("branch1x1"), inChannels, 64, kernel: 1)
        branch5x5_1 = try BasicConv2d(p.scoped("branch5x5_1"), inChannels, 48, kernel: 1)
        branch5x5_2 = try BasicConv2d(p.scoped("branch5x5_2"), 48, 64, kernel: 5, padding: 2)
        branch3x3dbl_1 = try BasicConv2d(p.scoped("branch3x3dbl_1"), inChannels, 64, kernel: 1)
        branch3x3dbl_2 = try BasicConv2d(p.scoped("branch3x3dbl_2"), 64, 96, kernel: 3, padding: 1)
        branch3x3dbl_3 = try BasicConv2d(p.scoped("branch3x3dbl_3"), 96, 96, kernel: 3, padding: 1)
        branchPool = try BasicConv2d(p.scoped("branch_pool"), inChannels, poolFeatures, kernel: 1)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.backend.concat([
            branch1x1(x),
            branch5x5_2(branch5x5_1(x)),
            branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))),
            branchPool(x.backend.pool2d(x, .square(.average, kernel: 3, stride: 1, padding: 1))),
        ], axis: 1)
    }
}

/// InceptionB (Mixed_6a): the grid halves, the pool branch is a 3×3 max at stride 2.
struct InceptionB {
    let branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3: BasicConv2d

    init(_ p: ParameterLoader, _ inChannels: Int) throws {
        branch3x3 = try BasicConv2d(p.scoped("branch3x3"), inChannels, 384, kernel: 3, stride: 2)
        branch3x3dbl_1 = try BasicConv2d(p.scoped("branch3x3dbl_1"), inChannels, 64, kernel: 1)
        branch3x3dbl_2 = try BasicConv2d(p.scoped("branch3x3dbl_2"), 64, 96, kernel: 3, padding: 1)
        branch3x3dbl_3 = try BasicConv2d(p.scoped("branch3x3dbl_3"), 96, 96, kernel: 3, stride: 2)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.backend.concat([
            branch3x3(x),
            branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))),
            x.backend.pool2d(x, .square(.max, kernel: 3, stride: 2)),
        ], axis: 1)
    }
}

/// InceptionC (Mixed_6b–6e) as FIDInceptionC: factorised 7×7 convolutions (1×7 then 7×1), average pool without
/// padding counted.
struct InceptionC {
    let branch1x1, branch7x7_1, branch7x7_2, branch7x7_3: BasicConv2d
    let branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branchPool: BasicConv2d

    init(_ p: ParameterLoader, _ inChannels: Int, channels7x7 c7: Int) throws {
        branch1x1 = try BasicConv2d(p.scoped("branch1x1"), inChannels, 192, kernel: 1)
        branch7x7_1 = try BasicConv2d(p.scoped("branch7x7_1"), inChannels, c7, kernel: 1)
        branch7x7_2 = try BasicConv2d(p.scoped("branch7x7_2"), c7, c7, kernel: (1, 7), padding: (0, 3))
        branch7x7_3 = try BasicConv2d(p.scoped("branch7x7_3"), c7, 192, kernel: (7, 1), padding: (3, 0))
        branch7x7dbl_1 = try BasicConv2d(p.scoped("branch7x7dbl_1"), inChannels, c7, kernel: 1)
        branch7x7dbl_2 = try BasicConv2d(p.scoped("branch7x7dbl_2"), c7, c7, kernel: (7, 1), padding: (3, 0))
        branch7x7dbl_3 = try BasicConv2d(p.scoped("branch7x7dbl_3"), c7, c7, kernel: (1, 7), padding: (0, 3))
        branch7x7dbl_4 = try BasicConv2d(p.scoped("branch7x7dbl_4"), c7, c7, kernel: (7, 1), padding: (3, 0))
        branch7x7dbl_5 = try BasicConv2d(p.scoped("branch7x7dbl_5"), c7, 192, kernel: (1, 7), padding: (0, 3))
        branchPool = try BasicConv2d(p.scoped("branch_pool"), inChannels, 192, kernel: 1)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.backend.concat([
            branch1x1(x),
            branch7x7_3(branch7x7_2(branch7x7_1(x))),
            branch7x7dbl_5(branch7x7dbl_4(branch7x7dbl_3(branch7x7dbl_2(branch7x7dbl_1(x))))),
            branchPool(x.backend.pool2d(x, .square(.average, kernel: 3, stride: 1, padding: 1))),
        ], axis: 1)
    }
}

/// InceptionD (Mixed_7a): the grid halves again, the pool branch is a 3×3 max at stride 2.
struct InceptionD {
    let branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4: BasicConv2d

    init(_ p: ParameterLoader, _ inChannels: Int) throws {
        branch3x3_1 = try BasicConv2d(p.scoped("branch3x3_1"), inChannels, 192, kernel: 1)
        branch3x3_2 = try BasicConv2d(p.scoped("branch3x3_2"), 192, 320, kernel: 3, stride: 2)
        branch7x7x3_1 = try BasicConv2d(p.scoped("branch7x7x3_1"), inChannels, 192, kernel: 1)
        branch7x7x3_2 = try BasicConv2d(p.scoped("branch7x7x3_2"), 192, 192, kernel: (1, 7), padding: (0, 3))
        branch7x7x3_3 = try BasicConv2d(p.scoped("branch7x7x3_3"), 192, 192, kernel: (7, 1), padding: (3, 0))
        branch7x7x3_4 = try BasicConv2d(p.scoped("branch7x7x3_4"), 192, 192, kernel: 3, stride: 2)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.backend.concat([
            branch3x3_2(branch3x3_1(x)),
            branch7x7x3_4(branch7x7x3_3(branch7x7x3_2(branch7x7x3_1(x)))),
            x.backend.pool2d(x, .square(.max, kernel: 3, stride: 2)),
        ], axis: 1)
    }
}

/// InceptionE (Mixed_7b as FIDInceptionE_1 with an average pool that does not count padding; Mixed_7c as
/// FIDInceptionE_2 with a max pool, as TensorFlow's graph has it): 1×3 and 3×1 branches side by side.
struct InceptionE {
    let branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b: BasicConv2d
    let branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branchPool: BasicConv2d
    let pool: Pooling.Kind

    init(_ p: ParameterLoader, _ inChannels: Int, pool: Pooling.Kind) throws {
        branch1x1 = try BasicConv2d(p.scoped("branch1x1"), inChannels, 320, kernel: 1)
        branch3x3_1 = try BasicConv2d(p.scoped("branch3x3_1"), inChannels, 384, kernel: 1)
        branch3x3_2a = try BasicConv2d(p.scoped("branch3x3_2a"), 384, 384, kernel: (1, 3), padding: (0, 1))
        branch3x3_2b = try BasicConv2d(p.scoped("branch3x3_2b"), 384, 384, kernel: (3, 1), padding: (1, 0))
        branch3x3dbl_1 = try BasicConv2d(p.scoped("branch3x3dbl_1"), inChannels, 448, kernel: 1)
        branch3x3dbl_2 = try BasicConv2d(p.scoped("branch3x3dbl_2"), 448, 384, kernel: 3, padding: 1)
        branch3x3dbl_3a = try BasicConv2d(p.scoped("branch3x3dbl_3a"), 384, 384, kernel: (1, 3), padding: (0, 1))
        branch3x3dbl_3b = try BasicConv2d(p.scoped("branch3x3dbl_3b"), 384, 384, kernel: (3, 1), padding: (1, 0))
        branchPool = try BasicConv2d(p.scoped("branch_pool"), inChannels, 192, kernel: 1)
        self.pool = pool
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let backend = x.backend
        let b3 = branch3x3_1(x)
        let d3 = branch3x3dbl_2(branch3x3dbl_1(x))
        return backend.concat([
            branch1x1(x),
            branch3x3_2a(b3), branch3x3_2b(b3),
            branch3x3dbl_3a(d3), branch3x3dbl_3b(d3),
            branchPool(backend.pool2d(x, .square(pool, kernel: 3, stride: 1, padding: 1))),
        ], axis: 1)
    }
}
