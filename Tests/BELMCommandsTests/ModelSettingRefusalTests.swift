import Compute
import Experiments
import Testing

/// The library refuses a model's settings naming the parameter (`spread`, `nullClass`, `count`), in no front
/// end's words; the command line says them as the flags the user typed.
@Suite struct ModelSettingRefusalTests {
    @Test func theLibraryNamesTheParameter() throws {
        func refusal(_ load: () throws -> Void) -> InvalidSetting? {
            do { try load() } catch { return error as? InvalidSetting }
            return nil
        }
        #expect(refusal { _ = try ExperimentModel.load("builtin:shapes", spread: 0, backend: CPUBackend()) }?.parameter == .spread)
        #expect(refusal { _ = try ExperimentModel.load("builtin:shapes", nullClass: 3, backend: CPUBackend()) }?.parameter == .nullClass)
        let model = try ExperimentModel.load("builtin:shapes", backend: CPUBackend())
        let count = refusal { _ = try model.evenlySpacedImages(count: 100_000) }
        #expect(count?.parameter == .count && count?.description.contains("--") == false, "\(String(describing: count))")
    }

    @Test func theCommandLineNamesTheFlags() {
        expectRefusals([
            (["sample", "--spread", "0"], "--spread must be positive, got 0.0"),
            (["sample", "--null-class", "3"], "--null-class applies to class-conditional diffusers models, not to the reference model"),
            (["reconstruct", "--count", "100000"], "--count 100000 must lie in 1…"),
            (["reconstruct", "--image", "/nonexistent/belm-images"], "--image names /nonexistent/belm-images, which does not exist; give PNG or JPEG files"),
        ], common: ["--steps", "3", "--backend", "cpu"])
    }
}
