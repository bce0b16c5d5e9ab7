/// `fid: {inception: PATH, reference: DIR_or_NPZ}` on a sampling experiment: each cell's samples go through
/// the FID Inception network (features kept per work item), and the cell's FID against the reference set is
/// computed at assembly from the features of all its items, so it is the same however the work was split.
public struct FIDSetting: Sendable, Codable, Hashable {
    /// The Inception weights (safetensors, see `InceptionCheckpoint`), an absolute path.
    public var inception: String
    /// A folder of PNG/JPEG images, or an `.npz` of `mu` and `sigma` (pytorch-fid's layout), an absolute path.
    public var reference: String

    public init(inception: String, reference: String) {
        self.inception = inception
        self.reference = reference
    }

    /// Whether the reference is a statistics file rather than a folder of images.
    public var referenceIsStatistics: Bool { reference.lowercased().hasSuffix(".npz") }
}
