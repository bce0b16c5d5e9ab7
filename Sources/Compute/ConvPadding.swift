/// Zero padding of a 2-D convolution: `before` rows and columns at the top and left, `after` at the bottom and
/// right. torch's nn.Conv2d pads symmetrically; diffusers' Downsample2D with padding 0 pads only after (one
/// row and column), which the backends fold into the convolution instead of copying the input into a larger tensor.
public struct ConvPadding: Equatable, Sendable {
    public var before: Int
    public var after: Int

    public init(before: Int, after: Int) {
        precondition(before >= 0 && after >= 0, "conv2d padding must be non-negative, got \(before) before and \(after) after")
        self.before = before
        self.after = after
    }

    public static func symmetric(_ padding: Int) -> ConvPadding { ConvPadding(before: padding, after: padding) }

    /// Output length along an axis of `length` for a kernel of `kernel` taps at `stride`.
    public func outputLength(_ length: Int, kernel: Int, stride: Int) -> Int { (length + before + after - kernel) / stride + 1 }
}
