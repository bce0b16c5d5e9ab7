import Tensors

/// The largest image belm reads, in pixels: 2^26 (8192 × 8192). Decoding takes about 17 bytes a pixel (8-bit
/// levels, then float planes), and a compressed file is tiny beside that: a 1.2 MB PNG of 20000 × 20000 took
/// 5.9 GB. So the PNG and JPEG decoders read the header's size first and refuse anything larger, before
/// allocating, for every way an image comes in (--image, a config's images:, a gmm: folder).
public enum ImageSizeLimit {
    public static let maximumPixels = 1 << 26

    /// The limit as a message says it: "67108864 pixels, 8192×8192".
    public static var description: String {
        let side = Int(Double(maximumPixels).squareRoot())
        return "\(maximumPixels) pixels, \(side)×\(side)"
    }

    /// Throws, naming the limit, when `width` × `height` is over `maximumPixels`.
    static func check(width: Int, height: Int) throws {
        guard let pixels = HeaderSizes.product(width, height), pixels <= maximumPixels else {
            throw ImageFileError("<memory>", "is \(width)×\(height) pixels, more than belm reads (at most \(description)); scale it down")
        }
    }
}
