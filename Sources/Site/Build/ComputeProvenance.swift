import Compute

/// Which device computed a result, through which driver, at which precision: what the reproducibility
/// page names beside each run, so a reader can tell a lavapipe number from a GPU one.
public struct ComputeProvenance: Sendable, Codable, Hashable {
    /// The backend's name (`vulkan`, `cpu`); part of every cache key.
    public var backend: String
    /// The device as its driver names it, with its kind ("NVIDIA H100 80GB HBM3 (discrete GPU)").
    public var device: String
    /// The driver and its version ("NVIDIA 550.54.15"); nil where no driver is involved (the CPU backend).
    public var driver: String?
    /// How the model's weights and activations were stored (accumulation and sampler states are fp32 either way).
    public var precision: Precision

    public init(backend: String, device: String, driver: String?, precision: Precision) {
        self.backend = backend
        self.device = device
        self.driver = driver
        self.precision = precision
    }

    /// One line: "vulkan · NVIDIA H100 (discrete GPU) · driver NVIDIA 550.54.15 · fp32".
    public var summary: String {
        ([backend, device] + (driver.map { ["driver " + $0] } ?? []) + [precision.rawValue]).joined(separator: " · ")
    }
}
