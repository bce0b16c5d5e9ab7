import Foundation
import Testing
@testable import Site

/// The library refuses images it cannot read (`InputImages`) naming the parameter; a site build says the
/// experiment's `images:` key and its line, never the command line's `--image`.
@Suite struct ImagesSettingRefusalTests {
    @Test func aMissingOrEmptyImagesFolderNamesTheKey() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("belm-no-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        for (folder, problem) in [("/nonexistent/belm-images", "names /nonexistent/belm-images, which does not exist"),
                                  (empty.path, "names the folder \(empty.path), which holds no png/jpg/jpeg images")] {
            let text = try SamplerSettingsConfigTests.refusal("    count: 2\n    images: \(folder)", else: "the images folder \(folder) was accepted")
            #expect(text.contains("belm.yml:6") && text.contains("key 'images' \(problem)") && !text.contains("--image"), "\(text)")
        }
    }
}
