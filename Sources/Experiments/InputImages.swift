import Foundation
import Models
import Tensors

/// Real images to invert, from PNG or JPEG files (`--image a.png b.jpg` or a folder of them): each centre-cropped to a
/// square and resampled to the model's size, grey and colour converted to the model's channels. Refusals are
/// `InvalidSetting`s of `images`, which each front end names: `--image` on the command line, `images:` in belm.yml.
public enum InputImages {
    public static let extensions = ["png", "jpg", "jpeg"]

    /// The image files a list of paths names: files as given, folders expanded to their images in name order.
    public static func files(_ paths: [String]) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InvalidSetting(.images, "names \(path), which does not exist; give PNG or JPEG files or folders of them")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                    .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                guard !names.isEmpty else { throw InvalidSetting(.images, "names the folder \(path), which holds no \(extensions.joined(separator: "/")) images") }
                let found = names.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
                // Folders are not searched further, so a folder named like an image is a mistake to report.
                if let folder = found.first(where: { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }) {
                    throw InvalidSetting(.images, "names a folder holding \(folder.path), a folder named like an image; folders are not searched recursively, so give PNG or JPEG files")
                }
                files += found
            } else {
                files.append(URL(fileURLWithPath: path))
            }
        }
        guard !files.isEmpty else { throw InvalidSetting(.images, "names no images") }
        return files
    }

    /// The images [N, C, side, side] in [-1, 1].
    public static func load(_ paths: [String], channels: Int, side: Int) throws -> HostTensor {
        let images = try files(paths).map { url -> PlanarImage in
            let image = try read(url)
            return convert(ImageResampling.centreCropped(image, toSquare: side), channels: channels)
        }
        return PlanarImage.stack(images)
    }

    static func read(_ url: URL) throws -> PlanarImage {
        switch url.pathExtension.lowercased() {
        case "png": return try PNGCodec.read(url)
        case "jpg", "jpeg": return try JPEGCodec.read(url)
        default: throw ExperimentError("\(url.path): not a PNG or JPEG image; belm reads \(extensions.joined(separator: ", ")) files")
        }
    }

    /// Grey → colour repeats the plane; colour → grey averages the channels.
    static func convert(_ image: PlanarImage, channels: Int) -> PlanarImage {
        if image.channels == channels { return image }
        let plane = image.height * image.width
        if image.channels == 1 {
            return PlanarImage(channels: channels, height: image.height, width: image.width,
                               values: Array((0..<channels).map { _ in image.values }.joined()))
        }
        let grey = (0..<plane).map { i in (0..<image.channels).map { image.values[$0 * plane + i] }.reduce(0, +) / Float(image.channels) }
        return PlanarImage(channels: channels, height: image.height, width: image.width,
                           values: Array((0..<channels).map { _ in grey }.joined()))
    }
}
