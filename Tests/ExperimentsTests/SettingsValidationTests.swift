import Compute
import Diffusion
import Foundation
import Tensors
import Testing
@testable import Experiments

/// One validation of the samplers' and experiments' settings, naming parameters, for every front end; and
/// results that are not finite refused wherever a sampler runs.
@Suite struct SettingsValidationTests {
    static func request(_ kind: ExperimentKind = .sampling, samplers: [SamplerChoice] = [.ddim, .bdia], steps: [Int] = [10],
                        guidance: Double? = nil, edictP: Double = 0.93, bdiaGamma: Double = 1) -> ExperimentRequest {
        ExperimentRequest(name: "x", kind: kind, model: "builtin:shapes", samplers: samplers, steps: steps, seeds: [0], count: 1,
                          guidance: guidance, sampler: SamplerSettings(edictP: edictP, bdiaGamma: bdiaGamma))
    }

    static func refusal(_ body: () throws -> Void) -> InvalidSetting? {
        do { try body() } catch let invalid as InvalidSetting { return invalid } catch { return nil }
        return nil
    }

    @Test func requestsAndRunSettingsRefuseTheSameValues() throws {
        let cases: [(ExperimentRequest, ExperimentParameter)] = [
            (Self.request(guidance: .nan), .guidance),
            (Self.request(guidance: .infinity), .guidance),
            (Self.request(guidance: 1e308), .guidance),
            (Self.request(guidance: -1), .guidance),
            (Self.request(edictP: 1), .edictP),
            (Self.request(edictP: .nan), .edictP),
            (Self.request(bdiaGamma: 1e-30), .bdiaGamma),
            (Self.request(bdiaGamma: .nan), .bdiaGamma),
            (Self.request(bdiaGamma: 1.5), .bdiaGamma),
            (Self.request(.reconstruction, bdiaGamma: 0), .bdiaGamma),
            (Self.request(samplers: [.ddim, .ddim]), .samplers),
            (Self.request(steps: [4, 4]), .steps),
            (Self.request(steps: [1]), .steps),
        ]
        for (request, parameter) in cases {
            #expect(Self.refusal { try request.validate() }?.parameter == parameter, "\(request)")
            // The run settings the experiments check say the same (guidance is the experiment's own knob).
            guard parameter != .guidance else { continue }
            let run = RunSettings(samplers: request.samplers, steps: request.steps,
                                  sampler: SamplerSettings(edictP: request.edictP, bdiaGamma: request.bdiaGamma))
            #expect(Self.refusal { try run.validate(inverting: request.kind.inverts) }?.parameter == parameter, "\(request)")
        }
        // γ = 0 is plain DDIM: fine for sampling, refused only where BDIA must invert.
        try Self.request(bdiaGamma: 0).validate()
        try Self.request(.reconstruction, samplers: [.ddim], bdiaGamma: 0).validate()
        try Self.request(guidance: 7.5).validate()
        #expect(InvalidSetting(.bdiaGamma, "is bad").description == "bdiaGamma is bad")
    }

    /// A sampler run that leaves float range is an error naming the experiment, sampler and step count.
    @Test func nonFiniteSamplesAreRefused() throws {
        let model = try ExperimentModel.load("builtin:shapes", backend: CPUBackend())
        let huge = HostTensor(shape: [1] + model.sampleShape, scalars: [Float](repeating: 3e38, count: model.sampleShape.reduce(1, *)))
        let settings = RunSettings(samplers: [.belm], steps: [3], count: 1, batchSize: 1)
        #expect(throws: ExperimentError.self) { try SamplingExperiment(settings: settings, noise: huge).run(model, backend: CPUBackend()) }
        do {
            _ = try SamplingExperiment(settings: settings, noise: huge).run(model, backend: CPUBackend())
        } catch let error as ExperimentError {
            #expect(error.description.hasPrefix("sampling: belm at 3 steps produced"), "\(error)")
        }
        var nan = huge
        nan.scalars[0] = .nan
        #expect(Self.refusal { _ = try SamplingExperiment(settings: settings, noise: nan).run(model, backend: CPUBackend()) }?.parameter == .noise)
        let record = MetricRecord(experiment: "reconstruction", model: "m", sampler: "bdia", steps: 20, metric: "mse", value: .nan, count: 1)
        #expect(throws: ExperimentError("reconstruction: bdia at 20 steps gave mse = nan; the run diverged, so nothing is written")) {
            try FiniteResults.check([record])
        }
    }

    /// The model is one kind or the other; each kind answers every question without trapping.
    @Test func modelKinds() throws {
        let model = try ExperimentModel.load("builtin:shapes", backend: CPUBackend())
        guard case .reference(let mixture) = model.kind else { Issue.record("builtin:shapes is the reference model"); return }
        #expect(model.pipeline == nil && model.imageSet?.count == mixture.images.count && model.imageShape == model.sampleShape)
    }
}
