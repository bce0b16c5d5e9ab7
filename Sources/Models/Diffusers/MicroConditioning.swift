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

/// The parts of SDXL's micro-conditioning a user sets (diffusers' `original_size`, `crops_coords_top_left` and
/// `target_size` arguments); each part left nil keeps the pipeline's default, which `resolved` fills in.
public struct MicroConditioningSettings: Sendable, Hashable, Codable {
    public var originalSize: PixelSize?
    public var cropTopLeft: PixelOffset?
    public var targetSize: PixelSize?

    public init(originalSize: PixelSize? = nil, cropTopLeft: PixelOffset? = nil, targetSize: PixelSize? = nil) {
        self.originalSize = originalSize
        self.cropTopLeft = cropTopLeft
        self.targetSize = targetSize
    }

    /// Nothing set: the time ids follow the image, as diffusers' do by default.
    public var isDefault: Bool { originalSize == nil && cropTopLeft == nil && targetSize == nil }

    /// The time ids for images of `side` × `side` pixels: each part set here, the image's defaults for the rest.
    public func resolved(imageSide side: Int) -> MicroConditioning {
        var conditioning = MicroConditioning.image(height: side, width: side)
        if let originalSize { (conditioning.originalHeight, conditioning.originalWidth) = (originalSize.height, originalSize.width) }
        if let cropTopLeft { (conditioning.cropTop, conditioning.cropLeft) = (cropTopLeft.top, cropTopLeft.left) }
        if let targetSize { (conditioning.targetHeight, conditioning.targetWidth) = (targetSize.height, targetSize.width) }
        return conditioning
    }
}
