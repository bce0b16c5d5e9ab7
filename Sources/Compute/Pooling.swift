/// A 2-D pooling window as torch's max_pool2d / avg_pool2d take it: a kernel, a stride and zero padding on
/// every side. Padded positions never count: a max ignores them (torch pads with −∞), and an average divides
/// by the number of input positions inside the window (torch's `count_include_pad=False`, TensorFlow's
/// behaviour, which the FID Inception network needs).
public struct Pooling: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case max
        case average
    }

    public var kind: Kind
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int

    public init(_ kind: Kind, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int = 0) {
        precondition(kernelHeight > 0 && kernelWidth > 0 && stride > 0, "pooling needs a positive kernel and stride")
        precondition(padding >= 0 && 2 * padding <= min(kernelHeight, kernelWidth),
                     "pooling padding \(padding) must be at most half the kernel, as torch requires")
        self.kind = kind
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    /// A square window.
    public static func square(_ kind: Kind, kernel: Int, stride: Int, padding: Int = 0) -> Pooling {
        Pooling(kind, kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: padding)
    }

    /// Output height and width for an input of `height` × `width` (torch's floor mode).
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernelHeight) / stride + 1, (width + 2 * padding - kernelWidth) / stride + 1)
    }
}
