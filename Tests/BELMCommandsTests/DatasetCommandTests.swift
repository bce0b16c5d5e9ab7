import Foundation
import Models
import Testing
@testable import BELMCommands

@Suite struct DatasetCommandTests {
    @Test func exportWritesAFolderThatReadsBackAsTheSameSet() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-dataset-export-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        var command = try BELM.parseAsRoot(["dataset", "export", "--out", folder.path, "--images-per-class", "2"])
        try command.run()

        let labels = try String(contentsOf: folder.appendingPathComponent("labels.csv"), encoding: .utf8)
        let rows = labels.split(separator: "\n")
        #expect(rows.count == 21)
        #expect(rows[0] == "file,label,class")
        #expect(rows[1] == "checkers/0000.png,0,checkers")
        #expect(rows[20] == "triangle/0019.png,9,triangle")
        let classFolders = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasSuffix(".csv") }.sorted()
        #expect(classFolders == ShapesDataset.classNames)

        // gmm:DIR on the export is the builtin model's set, class for class and pixel for pixel.
        let original = ShapesDataset.make(imagesPerClass: 2)
        let read = try ImageFolderDataset.load(folder)
        #expect(read.classNames == original.classNames)
        let order = (0..<10).flatMap { original.indices(ofClass: $0) }
        #expect(read.labels == order.map { original.labels[$0] })
        #expect(read.pixels == order.flatMap { original.image($0).values })
    }

    @Test func aNonEmptyFolderIsRefusedUntouched() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-dataset-export-full-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "keep".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        var command = try BELM.parseAsRoot(["dataset", "export", "--out", folder.path, "--images-per-class", "1"])
        #expect { try command.run() } throws: { "\($0)".contains("is not empty") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
    }

    @Test func badCountsAreRejected() {
        #expect(throws: (any Error).self) { try BELM.parseAsRoot(["dataset", "export", "--out", "/tmp/x", "--images-per-class", "0"]) }
        #expect(throws: (any Error).self) { try BELM.parseAsRoot(["dataset", "export"]) }
    }
}
