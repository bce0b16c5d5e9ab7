import Compute
import Foundation
import Models

/// pytorch-fid's InceptionV3 (`use_fid_inception=True`), the port of TensorFlow's 2015-12-05 graph that FID
/// scores are computed with, up to its 2048-d pool3 features. Images in [0, 1] are resized to 299 × 299
/// bilinearly as `F.interpolate(align_corners=False)` and scaled to [−1, 1], as pytorch-fid's defaults do.
public struct FIDInception {
    /// The input side pytorch-fid resizes every image to.
    public static let inputSize = 299
    /// The width of the pool3 features.
    public static let featureWidth = 2048

    let conv1a, conv2a, conv2b, conv3b, conv4a: BasicConv2d
    let mixed5b, mixed5c, mixed5d: InceptionA
    let mixed6a: InceptionB
    let mixed6b, mixed6c, mixed6d, mixed6e: InceptionC
    let mixed7a: InceptionD
    let mixed7b, mixed7c: InceptionE
    public let backend: any Backend

    /// Builds the network on `backend`; every tensor the network needs must be in `weights`, of its shape.
    public init(weights: any WeightSource, backend: any Backend) throws {
        let p = ParameterLoader(source: weights, backend: backend)
        self.backend = backend
        conv1a = try BasicConv2d(p.scoped("Conv2d_1a_3x3"), 3, 32, kernel: 3, stride: 2)
        conv2a = try BasicConv2d(p.scoped("Conv2d_2a_3x3"), 32, 32, kernel: 3)
        conv2b = try BasicConv2d(p.scoped("Conv2d_2b_3x3"), 32, 64, kernel: 3, padding: 1)
        conv3b = try BasicConv2d(p.scoped("Conv2d_3b_1x1"), 64, 80, kernel: 1)
        conv4a = try BasicConv2d(p.scoped("Conv2d_4a_3x3"), 80, 192, kernel: 3)
        mixed5b = try InceptionA(p.scoped("Mixed_5b"), 192, poolFeatures: 32)
        mixed5c = try InceptionA(p.scoped("Mixed_5c"), 256, poolFeatures: 64)
        mixed5d = try InceptionA(p.scoped("Mixed_5d"), 288, poolFeatures: 64)
        mixed6a = try InceptionB(p.scoped("Mixed_6a"), 288)
        mixed6b = try InceptionC(p.scoped("Mixed_6b"), 768, channels7x7: 128)
        mixed6c = try InceptionC(p.scoped("Mixed_6c"), 768, channels7x7: 160)
        mixed6d = try InceptionC(p.scoped("Mixed_6d"), 768, channels7x7: 160)
        mixed6e = try InceptionC(p.scoped("Mixed_6e"), 768, channels7x7: 192)
        mixed7a = try InceptionD(p.scoped("Mixed_7a"), 768)
        mixed7b = try InceptionE(p.scoped("Mixed_7b"), 1280, pool: .average)
        mixed7c = try InceptionE(p.scoped("Mixed_7c"), 2048, pool: .max)
        try weights.requireEverythingUsed()
    }

    /// Loads the weights file (see `InceptionCheckpoint` for its layout and how to make it).
    public init(contentsOf url: URL, backend: any Backend) throws {
        try self.init(weights: try InceptionCheckpoint(contentsOf: url), backend: backend)
    }

    /// pool3 features [N, 2048] of images [N, 3, H, W] with values in [0, 1]: resized to 299 × 299 first
    /// (`resizedTo: nil` skips the resize, for inputs of at least 75 × 75 that are already the size wanted).
    public func features(_ images: Tensor, resizedTo side: Int? = FIDInception.inputSize) -> Tensor {
        precondition(images.rank == 4 && images.shape[1] == 3, "FID Inception takes images [N, 3, H, W], got \(images.shape)")
        var x = images
        if let side { x = backend.resizeBilinear(x, height: side, width: side) }
        x = backend.linearCombination([(x, 2), (backend.tensor([Float](repeating: 1, count: x.count), shape: x.shape), -1)])
        x = conv2b(conv2a(conv1a(x)))
        x = backend.pool2d(x, .square(.max, kernel: 3, stride: 2))
        x = conv4a(conv3b(x))
        x = backend.pool2d(x, .square(.max, kernel: 3, stride: 2))
        x = mixed5d(mixed5c(mixed5b(x)))
        x = mixed6e(mixed6d(mixed6c(mixed6b(mixed6a(x)))))
        x = mixed7c(mixed7b(mixed7a(x)))
        // The adaptive average pool to 1 × 1: one window over the whole grid.
        x = backend.pool2d(x, Pooling(.average, kernelHeight: x.shape[2], kernelWidth: x.shape[3], stride: 1))
        return x.reshaped([images.shape[0], Self.featureWidth])
    }
}
