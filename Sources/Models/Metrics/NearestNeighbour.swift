/// How close an image is to a set, e.g. whether a sample reproduces a training image or a reconstruction
/// found its source.
public enum NearestNeighbour {
    public struct Match: Equatable, Sendable {
        /// Index of the closest image in the set.
        public var index: Int
        /// Euclidean distance ‖a − b‖₂ over every value.
        public var distance: Double
        /// The same as a mean squared error (distance² / values).
        public var meanSquaredError: Double
    }

    /// The closest image of `set` to `image` in Euclidean distance (the first on ties).
    public static func search(_ image: PlanarImage, in set: LabeledImageSet) -> Match {
        precondition(image.shape == set.imageShape, "an image of shape \(image.shape) searched in a set of \(set.imageShape)")
        let d = set.dimension
        var best = Match(index: 0, distance: .infinity, meanSquaredError: .infinity)
        var bestSquared = Double.infinity
        set.pixels.withUnsafeBufferPointer { pixels in
            for k in 0..<set.count {
                var sum = 0.0
                for i in 0..<d { let r = Double(image.values[i]) - Double(pixels[k * d + i]); sum += r * r }
                if sum < bestSquared {
                    bestSquared = sum
                    best = Match(index: k, distance: sum.squareRoot(), meanSquaredError: sum / Double(d))
                }
            }
        }
        return best
    }
}
