import CJPEG
import Foundation

/// JPEG reading (libjpeg-turbo), for real photos to invert. belm writes PNG only.
public enum JPEGCodec {
    /// Reads a JPEG as floats in [-1, 1]: grey files give 1 channel, colour ones 3 (RGB).
    public static func read(_ url: URL) throws -> PlanarImage { try ImageFileError.reading(url, with: decode) }

    public static func decode(_ data: Data) throws -> PlanarImage {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { bytes in
            belm_jpeg_decode(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, ImageSizeLimit.maximumPixels,
                             &pixels, &width, &height, &channels, &message, message.count)
        }
        if status == -2 { try ImageSizeLimit.check(width: Int(width), height: Int(height)) }
        guard status == 0, let pixels else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if status == -3 {
                throw ImageFileError("<memory>", "is a damaged JPEG (\(reason)): its data is cut short or corrupt; copy or export it again")
            }
            throw ImageFileError("<memory>", "is not a readable JPEG (\(reason)); re-save it as a baseline RGB JPEG or a PNG")
        }
        defer { belm_jpeg_free(pixels) }
        let w = Int(width), h = Int(height), c = Int(channels)
        var image = PlanarImage(channels: c, height: h, width: w, filledWith: 0)
        for y in 0..<h {
            for x in 0..<w {
                for k in 0..<c { image[k, y, x] = PixelLevels.value(ofLevel: pixels[(y * w + x) * c + k]) }
            }
        }
        return image
    }
}
