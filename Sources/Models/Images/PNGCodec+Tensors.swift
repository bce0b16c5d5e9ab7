import Foundation
import Tensors

extension PNGCodec {
    /// Writes one image given as a [C, H, W] or [1, C, H, W] tensor of values in [-1, 1].
    public static func write(_ tensor: HostTensor, to url: URL) throws {
        let images = PlanarImage.batch(tensor)
        guard images.count == 1 else {
            throw ImageFileError(url.path, "one PNG holds one image, but the tensor \(tensor.shape) holds \(images.count); write a grid (ImageGrid.compose) or one file per image")
        }
        try write(images[0], to: url)
    }
}
