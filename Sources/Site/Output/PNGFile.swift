import CPNG
import Experiments
import Foundation

/// 8-bit RGB PNG bytes through libpng's simplified API (errors are caught inside libpng, so no longjmp
/// reaches Swift). No time or text chunks are written, so the bytes depend on the pixels alone.
enum PNGFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func encode(_ image: RGBImage) throws -> Data {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = UInt32(PNG_FORMAT_RGB)
        let stride = Int32(image.width * 3)
        var size = 0
        let sized = image.pixels.withUnsafeBytes { png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard sized != 0 else { throw Failure(description: "libpng cannot encode a \(image.width)x\(image.height) image: \(message(png))") }
        var data = Data(count: size)
        let written = data.withUnsafeMutableBytes { out in
            image.pixels.withUnsafeBytes { png_image_write_to_memory(&png, out.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        png_image_free(&png)
        guard written != 0 else { throw Failure(description: "libpng cannot encode: \(message(png))") }
        return data.prefix(size)
    }

    /// Decodes any PNG to 8-bit RGB (used to read the cache back and to check written files).
    static func decode(_ data: Data) throws -> RGBImage {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        let began = data.withUnsafeBytes { png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count) }
        guard began != 0 else { throw Failure(description: "not a readable PNG (\(message(png)))") }
        png.format = UInt32(PNG_FORMAT_RGB)
        let width = Int(png.width), height = Int(png.height)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let finished = pixels.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { _ in png_image_finish_read(&png, nil, out.baseAddress, Int32(width * 3), nil) }
        }
        guard finished != 0 else {
            let reason = message(png)
            png_image_free(&png)
            throw Failure(description: "damaged PNG (\(reason))")
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private static func message(_ png: png_image) -> String {
        var text = png.message
        return withUnsafeBytes(of: &text) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
