import ArgumentParser
import Experiments
import Foundation
import Models

/// `belm dataset`: the embedded reference model's image set.
public struct DatasetCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "The procedural image set behind builtin:shapes.",
        subcommands: [DatasetExportCommand.self]
    )

    public init() {}
}

/// `belm dataset export --out DIR`: the shapes set as PNG files, one folder per class, plus labels.csv.
public struct DatasetExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the builtin:shapes images as DIR/<class>/<index>.png and DIR/labels.csv (gmm:DIR reads them back as the same model)."
    )

    @Option(help: "The folder to write (new or empty).")
    public var out: String

    @Option(help: "Images per class (the builtin model uses \(ShapesDataset.defaultImagesPerClass)).")
    public var imagesPerClass: Int = ShapesDataset.defaultImagesPerClass

    public init() {}

    public func validate() throws {
        guard imagesPerClass >= 1 else {
            throw ValidationError("--images-per-class must be at least 1, got \(imagesPerClass)")
        }
    }

    public func run() throws {
        let set = ShapesDataset.make(imagesPerClass: imagesPerClass)
        let folder = URL(fileURLWithPath: out)
        try ImageSetExport.write(set, to: folder)
        print("wrote \(set.count) images in \(set.classNames.count) classes to \(folder.path.escapingControlCharacters)")
    }
}
