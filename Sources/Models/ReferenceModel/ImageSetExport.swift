import Foundation
import Tensors

/// Writes an image set as a folder that `gmm:` reads back to the same set: `DIR/<class>/<index>.png` (index
/// over the whole set, zero-padded so that file-name order is set order) and `DIR/labels.csv` with one row
/// `file,label,class` per image. The folder must be new or empty: stale images left from another export would
/// silently join the set when the folder is read back.
public enum ImageSetExport {
    @discardableResult
    public static func write(_ set: LabeledImageSet, to folder: URL) throws -> [URL] {
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !existing.isEmpty {
            throw ImageFileError(folder.path, "is not empty; export into a new or empty folder (remove this one first to replace it)")
        }
        let digits = max(4, String(set.count - 1).count)
        var csv = "file,label,class\n"
        var written: [URL] = []
        for index in 0..<set.count {
            let className = set.classNames[set.labels[index]]
            let number = String(index)
            let relative = "\(className)/\(String(repeating: "0", count: max(0, digits - number.count)))\(number).png"
            let url = folder.appendingPathComponent(relative)
            try PNGCodec.write(set.image(index), to: url)
            csv += "\(relative),\(set.labels[index]),\(className)\n"
            written.append(url)
        }
        let labels = folder.appendingPathComponent("labels.csv")
        try AtomicFile.write(csv, to: labels)
        return written + [labels]
    }
}
