import Compute

/// Running a plan: batches split into single images, and diffusers' tiled encode/decode (`enable_tiling()`):
/// overlapping square tiles, each blended linearly into the tile above and the one to its left (already blended
/// themselves), then cropped so that every tile contributes its top-left part.
extension AutoencoderKL {
    func run(_ plan: AutoencoderKLPlan, on x: Tensor, whole: (Tensor) throws -> Tensor,
             tiled: (Tensor, Int) throws -> Tensor) throws -> Tensor {
        if plan.isSplit { planObserver?(plan) }
        func pass(_ images: Tensor) throws -> Tensor {
            if let tile = plan.tileLatentSize { return try tiled(images, tile) }
            return try whole(images)
        }
        let batch = x.shape[0]
        guard plan.imagesPerPass < batch else { return try pass(x) }
        let backend = x.backend
        return backend.concat(try stride(from: 0, to: batch, by: plan.imagesPerPass).map { start in
            try pass(backend.slice(x, axis: 0, range: start..<min(start + plan.imagesPerPass, batch)))
        }, axis: 0)
    }

    /// Tiles of `inputTile` input pixels every ¾ tile (the last ones in a row or column may be smaller); each
    /// output tile is blended over `blendExtent` rows with the tile above and columns with the tile to its left,
    /// and its first `keep` rows and columns are kept.
    func tiled(_ x: Tensor, inputTile: Int, blendExtent: Int, keep: Int, run: (Tensor) throws -> Tensor) throws -> Tensor {
        let backend = x.backend
        let (height, width) = (x.shape[2], x.shape[3])
        let step = inputTile - inputTile / 4
        var above: [Tensor] = []
        var rows: [Tensor] = []
        for top in stride(from: 0, to: height, by: step) {
            var row: [Tensor] = []
            for (column, left) in stride(from: 0, to: width, by: step).enumerated() {
                let input = backend.slice(backend.slice(x, axis: 2, range: top..<min(top + inputTile, height)),
                                          axis: 3, range: left..<min(left + inputTile, width))
                var tile = try run(input)
                if !above.isEmpty { tile = Self.blend(above[column], into: tile, axis: 2, extent: blendExtent) }
                if let previous = row.last { tile = Self.blend(previous, into: tile, axis: 3, extent: blendExtent) }
                row.append(tile)
            }
            if !above.isEmpty { rows.append(Self.cropAndJoin(above, keep: keep)) }
            above = row
        }
        rows.append(Self.cropAndJoin(above, keep: keep))
        return rows.count == 1 ? rows[0] : backend.concat(rows, axis: 2)
    }

    /// diffusers' blend_v (axis 2) and blend_h (axis 3): the first e = min(extent, both sizes) rows (columns) of
    /// `b` become a's last e ones weighted 1 − y/e plus b's own weighted y/e.
    static func blend(_ a: Tensor, into b: Tensor, axis: Int, extent: Int) -> Tensor {
        let backend = b.backend
        let e = min(a.shape[axis], b.shape[axis], extent)
        guard e > 0 else { return b }
        var rampShape = [1, 1, 1, 1]
        rampShape[axis] = e
        let fromA = backend.tensor((0..<e).map { Float(1 - Double($0) / Double(e)) }, shape: rampShape)
        let fromB = backend.tensor((0..<e).map { Float(Double($0) / Double(e)) }, shape: rampShape)
        let aEdge = backend.slice(a, axis: axis, range: (a.shape[axis] - e)..<a.shape[axis])
        let bEdge = backend.slice(b, axis: axis, range: 0..<e)
        let blended = backend.add(backend.multiply(aEdge, fromA), backend.multiply(bEdge, fromB))
        guard e < b.shape[axis] else { return blended }
        return backend.concat([blended, backend.slice(b, axis: axis, range: e..<b.shape[axis])], axis: axis)
    }

    /// A row of tiles cropped to their first `keep` rows and columns, side by side.
    static func cropAndJoin(_ row: [Tensor], keep: Int) -> Tensor {
        let backend = row[0].backend
        let cropped = row.map { tile in
            backend.slice(backend.slice(tile, axis: 2, range: 0..<min(keep, tile.shape[2])), axis: 3, range: 0..<min(keep, tile.shape[3]))
        }
        return cropped.count == 1 ? cropped[0] : backend.concat(cropped, axis: 3)
    }
}
