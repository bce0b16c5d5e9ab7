/// Figures from images: grids with gutters and nearest-neighbour enlargement (small images stay crisp).
public enum ImageGrid {
    /// Lays `images` out row by row in `columns` columns (as many rows as needed), separated and framed by a
    /// gutter of `gutter` pixels in `background` (a value in [-1, 1]; 1 is white). Grey images are spread to
    /// RGB when any image is in colour.
    public static func compose(_ images: [PlanarImage], columns: Int, gutter: Int = 2, background: Float = 1) -> PlanarImage {
        precondition(!images.isEmpty, "a grid needs at least one image")
        precondition(columns > 0 && gutter >= 0, "a grid needs at least one column and a non-negative gutter")
        let height = images[0].height, width = images[0].width
        precondition(images.allSatisfy { $0.height == height && $0.width == width },
                     "grid images must share one size; got \(Set(images.map { "\($0.width)×\($0.height)" }).sorted())")
        let channels = images.map(\.channels).max()!
        let rows = (images.count + columns - 1) / columns
        let gridHeight = rows * height + (rows + 1) * gutter
        let gridWidth = columns * width + (columns + 1) * gutter
        var grid = PlanarImage(channels: channels, height: gridHeight, width: gridWidth, filledWith: background)
        for (index, image) in images.enumerated() {
            let top = gutter + (index / columns) * (height + gutter)
            let left = gutter + (index % columns) * (width + gutter)
            for c in 0..<channels {
                let source = image.channels == 1 ? 0 : c
                for y in 0..<height {
                    for x in 0..<width { grid[c, top + y, left + x] = image[source, y, x] }
                }
            }
        }
        return grid
    }

    /// Each pixel repeated `factor` × `factor` times.
    public static func upscaled(_ image: PlanarImage, by factor: Int) -> PlanarImage {
        precondition(factor >= 1, "the enlargement factor must be at least 1, got \(factor)")
        var out = PlanarImage(channels: image.channels, height: image.height * factor, width: image.width * factor, filledWith: 0)
        for c in 0..<image.channels {
            for y in 0..<out.height {
                for x in 0..<out.width { out[c, y, x] = image[c, y / factor, x / factor] }
            }
        }
        return out
    }
}
