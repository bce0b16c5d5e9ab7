/// SDXL's micro-conditioning: the sizes and crop the UNet is told about through its time ids. diffusers'
/// StableDiffusionXLPipeline defaults to the image's own size for both sizes and no crop, as `image` gives.
public struct MicroConditioning: Sendable, Equatable {
    public var originalHeight: Int
    public var originalWidth: Int
    public var cropTop: Int
    public var cropLeft: Int
    public var targetHeight: Int
    public var targetWidth: Int

    /// Original size = target size = the image's, crop (0, 0).
    public static func image(height: Int, width: Int) -> MicroConditioning {
        MicroConditioning(originalHeight: height, originalWidth: width, cropTop: 0, cropLeft: 0, targetHeight: height, targetWidth: width)
    }

    /// The six time ids in diffusers' order: original (h, w), crop top-left, target (h, w).
    public var timeIDs: [Double] {
        [originalHeight, originalWidth, cropTop, cropLeft, targetHeight, targetWidth].map(Double.init)
    }
}
