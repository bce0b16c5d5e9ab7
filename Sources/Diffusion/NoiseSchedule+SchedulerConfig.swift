import Foundation

extension NoiseSchedule {
    /// The training steps a scheduler config may give: the schedule holds one ᾱ per step, so a corrupt count
    /// (10^12) would ask for terabytes; released models use 1000, a few 4000.
    public static let trainTimestepRange = 2...1_000_000

    /// The fields of a diffusers `scheduler_config.json` that decide the schedule; any may be absent.
    private struct SchedulerConfigFile: Decodable {
        var beta_schedule: String?
        var beta_start: Double?
        var beta_end: Double?
        var num_train_timesteps: Int?
        var timestep_spacing: String?
        var steps_offset: Int?
        var set_alpha_to_one: Bool?
        var prediction_type: String?
        var trained_betas: [Double]?
        var rescale_betas_zero_snr: Bool?
    }

    /// Reads a diffusers `scheduler_config.json` (DDPMScheduler, DDIMScheduler, … configs alike), with
    /// DDIMScheduler's defaults for the fields a config leaves out. Settings belm cannot honour are rejected
    /// with the file and field named rather than silently ignored; `clip_sample` and the variance settings
    /// are ignored on purpose, because the deterministic samplers never clip and add no noise.
    public init(schedulerConfig url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DiffusionError("\(url.path): cannot be read (\(error.localizedDescription))")
        }
        let file: SchedulerConfigFile
        do {
            file = try JSONDecoder().decode(SchedulerConfigFile.self, from: data)
        } catch let DecodingError.typeMismatch(type, context) {
            let field = context.codingPath.first?.stringValue ?? "?"
            throw DiffusionError("\(url.path): field \"\(field)\" must be of type \(type)")
        } catch {
            throw DiffusionError("\(url.path): is not a diffusers scheduler_config.json JSON object (\(error))")
        }
        func fail(_ field: String, _ message: String) -> DiffusionError {
            DiffusionError("\(url.path): field \"\(field)\" \(message)")
        }
        let scheduleName = file.beta_schedule ?? "linear"
        guard let schedule = BetaSchedule(rawValue: scheduleName) else {
            throw fail("beta_schedule", "is \"\(scheduleName)\"; supported: \(BetaSchedule.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let spacingName = file.timestep_spacing ?? "leading"
        guard let spacing = TimestepSpacing(rawValue: spacingName) else {
            throw fail("timestep_spacing", "is \"\(spacingName)\"; supported: \(TimestepSpacing.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // The schedule does not depend on what the network predicts: v- and x₀-predicting checkpoints are
        // turned into ε-predictors by the model wrapper (DiffusersNoisePredictor) with this schedule's ᾱ.
        let prediction = file.prediction_type ?? "epsilon"
        guard ["epsilon", "v_prediction", "sample"].contains(prediction) else {
            throw fail("prediction_type", "is \"\(prediction)\"; belm supports \"epsilon\", \"v_prediction\" and \"sample\"")
        }
        if file.trained_betas != nil {
            throw fail("trained_betas", "is set; belm computes betas from beta_schedule only — remove the field")
        }
        if file.rescale_betas_zero_snr == true {
            throw fail("rescale_betas_zero_snr", "is true; zero-terminal-SNR rescaling is not supported — set it to false")
        }
        let trainSteps = file.num_train_timesteps ?? 1000
        guard Self.trainTimestepRange.contains(trainSteps) else {
            throw fail("num_train_timesteps", "is \(trainSteps); it must be between \(Self.trainTimestepRange.lowerBound) and \(Self.trainTimestepRange.upperBound) (diffusers' models use 1000)")
        }
        let start = file.beta_start ?? 0.0001, end = file.beta_end ?? 0.02
        if schedule != .squaredcosCapV2 {
            guard start > 0, start < 1 else { throw fail("beta_start", "must lie in (0, 1), got \(start)") }
            guard end > 0, end < 1 else { throw fail("beta_end", "must lie in (0, 1), got \(end)") }
        }
        let offset = file.steps_offset ?? 0
        guard offset >= 0 else { throw fail("steps_offset", "must not be negative, got \(offset)") }
        self.init(betaSchedule: schedule, betaStart: start, betaEnd: end, numTrainTimesteps: trainSteps,
                  spacing: spacing, stepsOffset: offset, setAlphaToOne: file.set_alpha_to_one ?? true)
    }
}
