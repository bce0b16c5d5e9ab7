import Foundation
import Testing
@testable import Diffusion

/// Schedules and timestep grids against diffusers' DDIMScheduler (Fixtures/schedules.json, written by
/// Fixtures/generate_schedules.py).
@Suite struct NoiseScheduleTests {
    struct Fixture: Decodable {
        struct Entry: Decodable {
            let config: [String: ConfigValue]
            let alphas_cumprod: [Double]
            let final_alpha_cumprod: Double
            let timesteps: [String: [Int]]
        }
        let configs: [String: Entry]
    }

    enum ConfigValue: Decodable {
        case number(Double), text(String), flag(Bool)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .flag(b) } else if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
        }
        var json: Any {
            switch self {
            case .number(let d): return d
            case .text(let s): return s
            case .flag(let b): return b
            }
        }
    }

    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/schedules.json")

    /// Writes the fixture's config as a scheduler_config.json and reads it back, so the file reader is
    /// exercised on every configuration.
    func schedule(_ config: [String: ConfigValue]) throws -> NoiseSchedule {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("belm-scheduler-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        var object = config.mapValues(\.json)
        object["_class_name"] = "DDIMScheduler"
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return try NoiseSchedule(schedulerConfig: url)
    }

    @Test func matchesDiffusers() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.fixtureURL))
        #expect(fixture.configs.count == 5)
        for (name, entry) in fixture.configs.sorted(by: { $0.key < $1.key }) {
            let schedule = try schedule(entry.config)
            #expect(schedule.alphasCumprod.count == entry.alphas_cumprod.count, "\(name)")
            // diffusers holds ᾱ in float32 (1 − β too: 1 − 0.999 is off by 5e-8 there); belm computes in float64.
            for (t, (mine, theirs)) in zip(schedule.alphasCumprod, entry.alphas_cumprod).enumerated() {
                #expect(abs(mine - theirs) <= 2e-6 * theirs + 1e-12, "\(name): ᾱ_\(t) = \(mine), diffusers \(theirs)")
            }
            #expect(abs(schedule.finalAlphaCumprod - entry.final_alpha_cumprod) < 1e-6, "\(name)")
            for (steps, expected) in entry.timesteps {
                #expect(try schedule.timesteps(steps: Int(steps)!) == expected, "\(name) at \(steps) steps")
            }
        }
    }

    @Test func presets() throws {
        #expect(try NoiseSchedule.stableDiffusion15.timesteps(steps: 10) == [999, 888, 777, 666, 555, 444, 333, 222, 111, 0])
        #expect(try NoiseSchedule.ddpmCIFAR10.timesteps(steps: 10) == [900, 800, 700, 600, 500, 400, 300, 200, 100, 0])
        #expect(abs(NoiseSchedule.stableDiffusion15.alphasCumprod[999] - 0.0046601) < 1e-7)
        #expect(abs(NoiseSchedule.stableDiffusion15.alphasCumprod[0] - 0.99915) < 1e-9)
    }

    @Test func gridConventions() throws {
        let official = try TimeGrid(schedule: .stableDiffusion15, steps: 10)
        #expect(official.timesteps == [999, 888, 777, 666, 555, 444, 333, 222, 111, 0, 1])
        #expect(official.alphaBars.last == 1)
        let leading = NoiseSchedule(betaSchedule: .scaledLinear, betaStart: 0.00085, betaEnd: 0.012, spacing: .leading, stepsOffset: 1, setAlphaToOne: false)
        let diffusers = try TimeGrid(schedule: leading, steps: 10, convention: .diffusers)
        #expect(diffusers.timesteps == [901, 801, 701, 601, 501, 401, 301, 201, 101, 1, 0])
        #expect(diffusers.alphaBars.last == leading.alphasCumprod[0])
        #expect(throws: DiffusionError.self) { try TimeGrid(schedule: .stableDiffusion15, steps: 10, convention: .diffusers) }
        #expect(throws: DiffusionError.self) { try TimeGrid(schedule: .stableDiffusion15, steps: 1) }
        #expect(throws: DiffusionError.self) { try TimeGrid(schedule: .stableDiffusion15, steps: 1001) }
    }

    @Test func rejectsUnsupportedConfigs() throws {
        let cases: [(String, String)] = [
            (#"{"beta_schedule": "sigmoid"}"#, "beta_schedule"),
            (#"{"timestep_spacing": "karras"}"#, "timestep_spacing"),
            (#"{"prediction_type": "flow_prediction"}"#, "prediction_type"),
            (#"{"trained_betas": [0.1, 0.2]}"#, "trained_betas"),
            (#"{"beta_start": "small"}"#, "beta_start"),
            (#"{"num_train_timesteps": 1}"#, "num_train_timesteps"),
            // One ᾱ per training step: 10^12 of them once aborted on an 8 TB allocation.
            (#"{"num_train_timesteps": 1000000000000}"#, "num_train_timesteps\" is 1000000000000; it must be between 2 and 1000000"),
        ]
        for (text, field) in cases {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("scheduler_config-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: url) }
            try Data(text.utf8).write(to: url)
            do {
                _ = try NoiseSchedule(schedulerConfig: url)
                Issue.record("\(text) was accepted")
            } catch let error as DiffusionError {
                #expect(error.description.contains(url.path) && error.description.contains(field), "\(error)")
            }
        }
        let missing = URL(fileURLWithPath: "/nonexistent/scheduler_config.json")
        #expect(throws: DiffusionError.self) { try NoiseSchedule(schedulerConfig: missing) }
    }
}
