import Foundation
import Testing
import Tensors
@testable import Models

@Suite struct DiffusersConfigTests {
    let url = URL(fileURLWithPath: "/models/x/config.json")

    func config(_ json: String) throws -> DiffusersConfig {
        DiffusersConfig(fields: try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any], url: url)
    }

    @Test func typedReadsKeepJSONTypesApart() throws {
        let c = try config(#"{"n": 2, "f": 1.5, "b": true, "s": "x", "l": [1, 2], "z": null}"#)
        #expect(try c.int("n") == 2)
        #expect(try c.double("f") == 1.5)
        #expect(try c.double("n") == 2)
        #expect(try c.bool("b"))
        #expect(try c.ints("l") == [1, 2])
        #expect(try c.int("z", default: 7) == 7)
        #expect(try c.optionalInt("z") == nil)
        #expect(try c.intPerLevel("n", levels: 3) == [2, 2, 2])
        #expect(try c.intPerLevel("l", levels: 2) == [1, 2])
        // A boolean is not an integer and an integer is not a boolean, though both are NSNumbers.
        #expect(throws: TensorFileError.self) { try c.int("b") }
        #expect(throws: TensorFileError.self) { try c.bool("n") }
        #expect(throws: TensorFileError.self) { try c.int("f") }
        #expect(throws: TensorFileError.self) { try c.int("missing") }
        #expect(throws: TensorFileError.self) { try c.intPerLevel("l", levels: 3) }
    }

    @Test func errorsNameTheFileAndField() throws {
        let c = try config(#"{"act_fn": "gelu", "extra": 3, "_class_name": "UNet2DModel"}"#)
        do {
            _ = try c.choice("act_fn", ["silu"], default: "silu")
            Issue.record("gelu accepted")
        } catch let error as TensorFileError {
            #expect(error.path == url.path)
            #expect(error.problem.contains("\"act_fn\"") && error.problem.contains("\"gelu\""))
        }
        #expect(throws: TensorFileError.self) { try c.rejectUnknownFields(known: ["act_fn"]) }
        try c.rejectUnknownFields(known: ["act_fn", "extra"])
        #expect(throws: TensorFileError.self) { try c.expectClass(["AutoencoderKL"]) }
        try c.requireDefault("absent", false)
        #expect(throws: TensorFileError.self) { try c.requireDefault("extra", 4) }
        try c.requireDefault("extra", 3)
    }
}
