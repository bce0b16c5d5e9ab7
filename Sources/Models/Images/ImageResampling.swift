/// Bringing images of other sizes to the model's size.
public enum ImageResampling {
    /// The central square of the image (the longer side trimmed equally at both ends), resampled to
    /// side × side by area averaging: each output pixel is the mean of the source area it covers.
    public static func centreCropped(_ image: PlanarImage, toSquare side: Int) -> PlanarImage {
        precondition(side >= 1, "the target size must be at least 1")
        let square = min(image.height, image.width)
        let top = (image.height - square) / 2, left = (image.width - square) / 2
        let weights = areaWeights(from: square, to: side)
        var out = PlanarImage(channels: image.channels, height: side, width: side, filledWith: 0)
        for c in 0..<image.channels {
            for (oy, rows) in weights.enumerated() {
                for (ox, columns) in weights.enumerated() {
                    var total = 0.0
                    for (sy, wy) in rows {
                        for (sx, wx) in columns { total += wy * wx * Double(image[c, top + sy, left + sx]) }
                    }
                    out[c, oy, ox] = Float(total)
                }
            }
        }
        return out
    }

    /// For each of `count` output cells, the source indices it overlaps and their weights (summing to 1).
    static func areaWeights(from source: Int, to count: Int) -> [[(Int, Double)]] {
        let scale = Double(source) / Double(count)
        return (0..<count).map { i in
            let start = Double(i) * scale, end = Double(i + 1) * scale
            var cells: [(Int, Double)] = []
            var s = Int(start.rounded(.down))
            while Double(s) < end && s < source {
                let overlap = min(end, Double(s + 1)) - max(start, Double(s))
                if overlap > 0 { cells.append((s, overlap / scale)) }
                s += 1
            }
            return cells
        }
    }
}
