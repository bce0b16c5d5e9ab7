import Foundation
import Tensors

/// The committed golden files (made by Fixtures/generate_*.py).
enum FixtureFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// A scratch folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("belm-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies a fixture model folder so a test can damage it.
    static func copy(_ path: String, to folder: URL) throws -> URL {
        let target = folder.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent)
        try FileManager.default.copyItem(at: url(path), to: target)
        return target
    }
}

/// max |a − b| over the elements, relative to max |b| (the expected output's scale).
func relativeMaxError(_ actual: [Float], _ expected: [Float]) -> Double {
    precondition(actual.count == expected.count, "\(actual.count) values against \(expected.count)")
    let scale = expected.map { Double(abs($0)) }.max() ?? 0
    let error = zip(actual, expected).map { Double(abs($0 - $1)) }.max() ?? 0
    return error / max(scale, 1e-30)
}
