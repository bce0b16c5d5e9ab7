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

    /// Sizes that would trap, divide by zero or ask for terabytes, and norm epsilons that turn every output into
    /// NaN: each is refused by the configuration that reads it, naming the file, the field and what it must be.
    @Test func outOfRangeSizesAndNormSettingsAreRefused() throws {
        let cases: [(file: String, key: String, value: Any, says: String)] = [
            ("unet2d/cifar10/config.json", "sample_size", 320_000, "between 1 and 4096"),
            ("unet2d/cifar10/config.json", "sample_size", [320_000, 320_000], "between 1 and 4096"),
            ("unet2d/cifar10/config.json", "norm_num_groups", 0, "between 1 and 16384"),
            ("unet2d/cifar10/config.json", "attn_norm_num_groups", 0, "between 1 and 16384"),
            ("unet2d/cifar10/config.json", "norm_eps", 0, "greater than 0"),
            ("unet2d/cifar10/config.json", "norm_eps", -1e-5, "greater than 0"),
            ("unet2d/cifar10/config.json", "norm_eps", Double.nan, "finite number"),
            ("unet2d/cifar10/config.json", "norm_eps", Double.infinity, "finite number"),
            // 2^61 channels: the time embedding's 4 × channels would overflow Int.
            ("unet2d/cifar10/config.json", "block_out_channels", [1 << 61, 64], "between 1 and 16384"),
            ("unet2d/cifar10/config.json", "block_out_channels", [32.5, 64], "list of integers"),
            ("unet2d/cifar10/config.json", "block_out_channels", [Int](repeating: 32, count: 64), "between 1 and 12"),
            ("unet2d/cifar10/config.json", "layers_per_block", 100_000, "between 1 and 64"),
            ("unet2d/cifar10/config.json", "in_channels", 0, "between 1 and 16384"),
            ("unet2d/cifar10/config.json", "num_class_embeds", 1e12, "between 1 and 1048576"),
            ("sd/sd15/unet/config.json", "sample_size", 320_000, "between 1 and 4096"),
            ("sd/sd15/unet/config.json", "norm_num_groups", 0, "between 1 and 16384"),
            ("sd/sd15/unet/config.json", "norm_eps", 0, "greater than 0"),
            ("sd/sd15/unet/config.json", "cross_attention_dim", 1 << 40, "between 1 and 16384"),
            ("sd/sd15/unet/config.json", "transformer_layers_per_block", 0, "between 1 and 64"),
            ("sd/sd15/vae/config.json", "norm_num_groups", 0, "between 1 and 16384"),
            ("sd/sd15/vae/config.json", "scaling_factor", 0, "greater than 0"),
            ("sd/sd15/vae/config.json", "latent_channels", -4, "between 1 and 16384"),
        ]
        for (file, key, value, says) in cases {
            let url = FixtureFiles.url(file)
            var fields = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            fields[key] = value
            let config = DiffusersConfig(fields: fields, url: url)
            do {
                switch fields["_class_name"] as? String {
                case "UNet2DConditionModel": _ = try UNet2DConditionConfiguration(config)
                case "AutoencoderKL": _ = try AutoencoderKLConfiguration(config)
                default: _ = try UNet2DConfiguration(config)
                }
                Issue.record("\(file): \(key) = \(value) accepted")
            } catch let error as TensorFileError {
                #expect(error.path == url.path && error.problem.contains("\"\(key)\"") && error.problem.contains(says),
                        "\(file): \(key) = \(value): \(error)")
            }
        }
    }
}
