import Foundation
import Tensors

/// `gmm:DIR`: the reference mixture built from a folder of PNG images.
///
/// With subfolders, each subfolder is a class (named after it, classes sorted by name, images sorted by file
/// name); without, every PNG in the folder belongs to one class named after the folder. Files that are not
/// PNG (such as an exported `labels.csv`) and hidden entries are ignored. All images must share one size,
/// unless `size` is given: then each is centre-cropped to a square and resampled to size × size by area
/// averaging. The set is grey when every image is grey, RGB otherwise.
public enum ImageFolderDataset {
    public static func load(_ folder: URL, size: Int? = nil) throws -> LabeledImageSet {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImageFileError(folder.path, "is not a folder; gmm: needs a folder of PNG images (one subfolder per class, or the images directly)")
        }
        if let size, size < 1 || (HeaderSizes.product(size, size) ?? .max) > ImageSizeLimit.maximumPixels {
            throw ImageFileError(folder.path, "the image size must be at least 1 pixel and at most \(ImageSizeLimit.description) a square, got \(size)")
        }
        let entries = try listing(folder)
        let subfolders = entries.filter(isFolder)
        let topImages = entries.filter(isPNG)

        var classes: [(name: String, files: [URL])] = []
        if subfolders.isEmpty {
            classes = [(folder.standardizedFileURL.lastPathComponent, topImages)]
        } else {
            if let stray = topImages.first {
                throw ImageFileError(stray.path, "sits beside class subfolders; move it into the subfolder of its class")
            }
            for subfolder in subfolders {
                let files = try listing(subfolder).filter(isPNG)
                if files.isEmpty {
                    throw ImageFileError(subfolder.path, "is a class folder without PNG images; add images or remove the folder")
                }
                classes.append((subfolder.lastPathComponent, files))
            }
        }
        guard classes.contains(where: { !$0.files.isEmpty }) else {
            throw ImageFileError(folder.path, "holds no PNG images; put PNG files in it, or in one subfolder per class")
        }

        var loaded: [(image: PlanarImage, file: URL, label: Int)] = []
        for (label, entry) in classes.enumerated() {
            for file in entry.files {
                var image: PlanarImage
                do {
                    image = try PNGCodec.read(file)
                } catch let error as ImageFileError {
                    throw ImageFileError(error.path, error.reason)
                }
                if let size { image = ImageResampling.centreCropped(image, toSquare: size) }
                if let first = loaded.first, first.image.height != image.height || first.image.width != image.width {
                    throw ImageFileError(file.path, "is \(image.width)×\(image.height) but \(first.file.path) is \(first.image.width)×\(first.image.height); the images of a gmm: folder must share one size — resize them, or ask for one size")
                }
                loaded.append((image, file, label))
            }
        }
        let channels = loaded.map(\.image.channels).max()!
        let first = loaded[0].image
        var pixels: [Float] = []
        pixels.reserveCapacity(loaded.count * channels * first.height * first.width)
        for entry in loaded {
            if entry.image.channels == channels {
                pixels += entry.image.values
            } else {
                for _ in 0..<channels { pixels += entry.image.values }
            }
        }
        return LabeledImageSet(name: "gmm:\(folder.path)", channels: channels, height: first.height, width: first.width,
                               pixels: pixels, labels: loaded.map(\.label), classNames: classes.map(\.name))
    }

    /// Non-hidden entries, sorted by name so that every machine sees the same order.
    private static func listing(_ folder: URL) throws -> [URL] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { !$0.hasPrefix(".") }
                .sorted()
                .map { folder.appendingPathComponent($0) }
        } catch {
            throw ImageFileError(folder.path, "cannot be listed (\(error.localizedDescription)); check that it exists and is readable")
        }
    }

    private static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func isPNG(_ url: URL) -> Bool { url.pathExtension.lowercased() == "png" && !isFolder(url) }
}
