import Compute
import Foundation
import Models
import Tensors

extension SeededInceptionWeights {
    /// The stand-in weights as a safetensors file under pytorch-fid's tensor names: exactly the tensors the
    /// network asks for, so that `belm fid --inception` and a site's `fid: inception:` can run without the real file.
    public static func write(to url: URL) throws {
        let recorder = Recorder()
        _ = try FIDInception(weights: recorder, backend: CPUBackend())
        try SafetensorsWriter.write(floats: recorder.tensors, to: url)
    }
}

/// Hands out the seeded weights and keeps what the network asked for.
private final class Recorder: WeightSource {
    let seeded = SeededInceptionWeights()
    var tensors: [String: HostTensor] = [:]
    func contains(_ name: String) -> Bool { true }
    func requireEverythingUsed() throws {}
    func tensor(_ name: String, shape: [Int]) throws -> HostTensor {
        let tensor = try seeded.tensor(name, shape: shape)
        tensors[name] = tensor
        return tensor
    }
}
