import Foundation
import Models
import Testing

/// A model value is parsed once into what it names; everything else asks the parsed value.
@Suite struct ModelReferenceTests {
    @Test func valuesParseIntoWhatTheyNameAndPrintBack() throws {
        let cases: [(String, ModelReference)] = [
            ("builtin:shapes", .builtinShapes),
            ("builtin:shapes-unet", .builtinDiffusers(name: "shapes-unet")),
            ("gmm:/data/faces", .mixture(folder: "/data/faces")),
            ("/models/ddpm-cifar10-32", .diffusers(folder: "/models/ddpm-cifar10-32")),
        ]
        for (text, reference) in cases {
            #expect(try ModelReference(parsing: text) == reference)
            #expect(reference.description == text)
        }
        #expect(ModelReference.builtinShapes.folder == nil && ModelReference.builtinDiffusers(name: "shapes-unet").folder == nil)
        #expect(ModelReference.mixture(folder: "faces").with(folder: "/abs/faces").description == "gmm:/abs/faces")
        #expect(ModelReference.builtinShapes.with(folder: "/x") == .builtinShapes)
        #expect(ModelReference.mixture(folder: "/home/ada/faces").label == "gmm:faces")
        #expect(ModelReference.diffusers(folder: "/home/ada/sd15").label == "sd15")
        #expect(try ModelReference(parsing: "builtin:shapes-unet").referenceSource == nil)
        #expect(try ModelReference(parsing: "gmm:/a").referenceSource == .imageFolder(URL(fileURLWithPath: "/a")))
    }

    @Test func unknownBuiltinsAndEmptyFoldersAreRefusedWithTheChoices() {
        #expect { try ModelReference(parsing: "builtin:faces") } throws: { "\($0)".contains("builtin:shapes, builtin:shapes-unet") }
        #expect { try ModelReference(parsing: "gmm:") } throws: { "\($0)".contains("gmm:DIR") }
    }
}
