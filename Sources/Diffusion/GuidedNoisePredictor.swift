import Compute

/// Classifier-free guidance: ε = ε_u + w (ε_c − ε_u), with ε_u the model's prediction under
/// `unconditional` and ε_c under the conditioning each call passes (a class, a prompt).
/// Both predictions come from one batched model call (x concatenated with itself on the batch axis) when
/// the two conditionings can be stacked (both classes, or both text of one kind); otherwise from two calls.
/// w = 1 is the conditional model alone, w = 0 the unconditional one; neither makes a second call.
public final class GuidedNoisePredictor: NoisePredictor {
    public let model: any NoisePredictor
    public let scale: Double
    public let unconditional: Conditioning

    public init(model: any NoisePredictor, scale: Double, unconditional: Conditioning = .unconditional) {
        self.model = model
        self.scale = scale
        self.unconditional = unconditional
    }

    public var backend: any Backend { model.backend }

    public func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor {
        if scale == 1 { return model.predictNoise(x, timestep: timestep, conditioning: conditioning) }
        if scale == 0 { return model.predictNoise(x, timestep: timestep, conditioning: unconditional) }
        let batch = x.shape[0]
        let unconditionalNoise: Tensor, conditionalNoise: Tensor
        if let stacked = Self.stack(unconditional, conditioning, batch: batch) {
            let both = model.predictNoise(backend.concat([x, x], axis: 0), timestep: timestep, conditioning: stacked)
            unconditionalNoise = backend.slice(both, axis: 0, range: 0..<batch)
            conditionalNoise = backend.slice(both, axis: 0, range: batch..<(2 * batch))
        } else {
            unconditionalNoise = model.predictNoise(x, timestep: timestep, conditioning: unconditional)
            conditionalNoise = model.predictNoise(x, timestep: timestep, conditioning: conditioning)
        }
        return backend.linearCombination([(unconditionalNoise, 1 - scale), (conditionalNoise, scale)])
    }

    /// The two conditionings as one for a doubled batch, when the model can take them so.
    static func stack(_ first: Conditioning, _ second: Conditioning, batch: Int) -> Conditioning? {
        switch (first, second) {
        case let (.classes(a), .classes(b)) where a.count == batch && b.count == batch:
            return .classes(a + b)
        case let (.text(a), .text(b)) where a.shape[0] == batch && b.shape[0] == batch && a.shape.dropFirst() == b.shape.dropFirst():
            return .text(a.backend.concat([a, b], axis: 0))
        case let (.textAndAdded(a, pooledA, idsA), .textAndAdded(b, pooledB, idsB))
            where a.shape[0] == batch && b.shape[0] == batch && a.shape.dropFirst() == b.shape.dropFirst()
            && pooledA.shape == pooledB.shape && idsA.count == idsB.count:
            let backend = a.backend
            return .textAndAdded(states: backend.concat([a, b], axis: 0), pooled: backend.concat([pooledA, pooledB], axis: 0),
                                 timeIDs: idsA + idsB)
        default:
            return nil
        }
    }
}
