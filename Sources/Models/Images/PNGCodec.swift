import CPNG
import Foundation
import Tensors

/// PNG through libpng's simplified API: 8-bit grey or RGB, values in [-1, 1] mapped to levels by `PixelLevels`.
/// Writing encodes in memory and moves the file into place with `AtomicFile`; the bytes depend only on the
/// pixels (no time or text chunks).
public enum PNGCodec {
    /// The PNG bytes of a 1- or 3-channel image.
    public static func encode(_ image: PlanarImage) throws -> Data {
        guard image.channels == 1 || image.channels == 3 else {
            throw ImageFileError("<memory>", "PNG images need 1 (grey) or 3 (RGB) channels, this one has \(image.channels)")
        }
        let interleaved = interleavedLevels(image)
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = image.channels == 3 ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        let rowStride = Int32(image.width * image.channels)
        var size = 0
        // First call sizes the buffer, second fills it.
        let sized = interleaved.withUnsafeBytes { pixels in
            png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, rowStride, nil)
        }
        guard sized != 0 else { throw ImageFileError("<memory>", "libpng cannot encode: \(message(of: png))") }
        var data = Data(count: size)
        let written = data.withUnsafeMutableBytes { out in
            interleaved.withUnsafeBytes { pixels in
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, pixels.baseAddress, rowStride, nil)
            }
        }
        png_image_free(&png)
        guard written != 0 else { throw ImageFileError("<memory>", "libpng cannot encode: \(message(of: png))") }
        return data.prefix(size)
    }

    public static func write(_ image: PlanarImage, to url: URL) throws {
        do {
            try AtomicFile.write(try encode(image), to: url)
        } catch let error as ImageFileError {
            throw ImageFileError(url.path, error.reason)
        }
    }

    /// Reads a PNG as floats in [-1, 1]: grey files give 1 channel, everything else 3 (RGB; alpha is
    /// composited onto black by libpng, palettes expanded, 16-bit reduced to 8).
    public static func read(_ url: URL) throws -> PlanarImage { try ImageFileError.reading(url, with: decode) }

    public static func decode(_ data: Data) throws -> PlanarImage {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        let began = data.withUnsafeBytes { bytes in
            png_image_begin_read_from_memory(&png, bytes.baseAddress, bytes.count)
        }
        guard began != 0 else {
            throw ImageFileError("<memory>", "is not a readable PNG (\(message(of: png))); re-save it as an 8-bit RGB or grey PNG")
        }
        let isColour = png.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let channels = isColour ? 3 : 1
        png.format = isColour ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        let width = Int(png.width), height = Int(png.height)
        do {
            try ImageSizeLimit.check(width: width, height: height)
        } catch {
            png_image_free(&png)
            throw error
        }
        var levels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = levels.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { _ in
                png_image_finish_read(&png, nil, out.baseAddress, Int32(width * channels), nil)
            }
        }
        guard finished != 0 else {
            let reason = message(of: png)
            png_image_free(&png)
            throw ImageFileError("<memory>", "is a damaged PNG (\(reason)); re-save it")
        }
        var image = PlanarImage(channels: channels, height: height, width: width, filledWith: 0)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    image[c, y, x] = PixelLevels.value(ofLevel: levels[(y * width + x) * channels + c])
                }
            }
        }
        return image
    }

    /// [C, H, W] planes → H·W·C interleaved 8-bit levels, as PNG rows hold them.
    static func interleavedLevels(_ image: PlanarImage) -> [UInt8] {
        var levels = [UInt8](repeating: 0, count: image.values.count)
        for c in 0..<image.channels {
            for y in 0..<image.height {
                for x in 0..<image.width {
                    levels[(y * image.width + x) * image.channels + c] = PixelLevels.level(of: image[c, y, x])
                }
            }
        }
        return levels
    }

    private static func message(of png: png_image) -> String {
        var text = png.message
        return withUnsafeBytes(of: &text) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
