import FID
import Testing
@testable import BELMCommands

/// `belm fid` and `belm fid-stats` take the same `--batch-size` (one option group): the same help line, the
/// same default, the same refusal, a negative number read as a number.
struct InceptionBatchOptionTests {
    static let helpLine = "Images per Inception forward pass: memory grows with it, the statistics do not depend on it."

    @Test func bothCommandsDescribeTheOptionAlike() {
        let entry = "--batch-size <batch-size> \(Self.helpLine) (default: \(ImageFolderStatistics.defaultBatchSize))"
        for help in [FIDCommand.helpMessage(), FIDStatsCommand.helpMessage()] {
            // The help wraps its lines; compare with the whitespace collapsed.
            let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.contains(entry), "\(help)")
        }
    }

    @Test func bothCommandsRefuseTheSameWay() {
        let statsArguments = ["fid-stats", "--inception", "w.safetensors", "--images", "images", "--out", "s.npz"]
        for arguments in [["fid", "a.npz", "b.npz"], statsArguments] {
            for (value, expected) in [("0", "--batch-size must be at least 1, got 0"), ("-3", "--batch-size must be at least 1, got -3")] {
                do {
                    _ = try BELM.parseAsRoot(arguments + ["--batch-size", value])
                    Issue.record("\(arguments) --batch-size \(value) was accepted")
                } catch {
                    #expect(BELM.message(for: error).contains(expected), "\(arguments): \(BELM.message(for: error))")
                }
            }
        }
    }
}
