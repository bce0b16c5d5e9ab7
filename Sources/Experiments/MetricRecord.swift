/// One measured number: the row format of metrics.json and metrics.csv (see DESIGN.md, "metrics.json").
/// One record per (experiment, model, sampler, steps, metric); `value` is the mean over `count` items.
public struct MetricRecord: Sendable, Codable, Hashable {
    public var experiment: String
    public var model: String
    public var sampler: String
    public var steps: Int
    /// `mse`, `mse_pixel`, `psnr`, `ssim`, `ode_error`, `seconds`, `nfe`.
    public var metric: String
    public var value: Double
    public var count: Int

    public init(experiment: String, model: String, sampler: String, steps: Int, metric: String, value: Double, count: Int) {
        self.experiment = experiment
        self.model = model
        self.sampler = sampler
        self.steps = steps
        self.metric = metric
        self.value = value
        self.count = count
    }

    /// The order every output lists records in, so the same results always give the same bytes.
    public static func canonicalOrder(_ a: MetricRecord, _ b: MetricRecord) -> Bool {
        if a.experiment != b.experiment { return a.experiment < b.experiment }
        if a.model != b.model { return a.model < b.model }
        let sa = SamplerChoice(rawValue: a.sampler), sb = SamplerChoice(rawValue: b.sampler)
        if a.sampler != b.sampler {
            if let sa, let sb { return sa < sb }
            return a.sampler < b.sampler
        }
        if a.steps != b.steps { return a.steps < b.steps }
        return a.metric < b.metric
    }

    /// Whether a smaller value is better (errors, time) or a larger one (PSNR, SSIM, an edit's target rate).
    public static func lowerIsBetter(_ metric: String) -> Bool {
        !["psnr", "ssim", "target_rate"].contains(metric)
    }
}
