extension CPUBackend {
    public func permute(_ x: Tensor, _ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<x.rank), "permute order \(order) does not fit \(x.shape)")
        let outShape = order.map { x.shape[$0] }
        let inStrides = Broadcast.rowMajorStrides(x.shape)
        let outStrides = Broadcast.rowMajorStrides(outShape)
        let v = scalars(x)
        var out = [Float](repeating: 0, count: v.count)
        for i in out.indices {
            var rest = i, j = 0
            for axis in 0..<outShape.count {
                let coordinate = rest / outStrides[axis]
                rest %= outStrides[axis]
                j += coordinate * inStrides[order[axis]]
            }
            out[i] = v[j]
        }
        return make(out, outShape, storedAs: x.precision)
    }

    public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat needs at least one tensor")
        let first = tensors[0].shape
        for t in tensors {
            precondition(t.rank == first.count && (0..<first.count).allSatisfy { $0 == axis || t.shape[$0] == first[$0] },
                         "concat along \(axis) of \(first) and \(t.shape)")
        }
        let outer = first[..<axis].reduce(1, *)
        let inner = first[(axis + 1)...].reduce(1, *)
        var out: [Float] = []
        out.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
        let sources = tensors.map { (scalars($0), $0.shape[axis] * inner) }
        for o in 0..<outer {
            for (v, block) in sources { out.append(contentsOf: v[(o * block)..<((o + 1) * block)]) }
        }
        var shape = first
        shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        return make(out, shape, storedAs: .propagated(tensors))
    }

    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= x.shape[axis], "slice \(range) out of \(x.shape) on axis \(axis)")
        let outer = x.shape[..<axis].reduce(1, *)
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let v = scalars(x)
        var out: [Float] = []
        out.reserveCapacity(outer * range.count * inner)
        for o in 0..<outer {
            let base = o * x.shape[axis] * inner
            out.append(contentsOf: v[(base + range.lowerBound * inner)..<(base + range.upperBound * inner)])
        }
        var shape = x.shape
        shape[axis] = range.count
        return make(out, shape, storedAs: x.precision)
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let v = scalars(x)
        var out = [Float](repeating: 0, count: n * c * h * w * 4)
        for p in 0..<(n * c) {
            for y in 0..<(2 * h) {
                for xo in 0..<(2 * w) {
                    out[(p * 2 * h + y) * 2 * w + xo] = v[(p * h + y / 2) * w + xo / 2]
                }
            }
        }
        return make(out, [n, c, 2 * h, 2 * w], storedAs: x.precision)
    }

    public func avgPool2x(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = (h / 2, w / 2)
        let v = scalars(x)
        var out = [Float](repeating: 0, count: n * c * ho * wo)
        for p in 0..<(n * c) {
            for y in 0..<ho {
                for xo in 0..<wo {
                    let base = (p * h + 2 * y) * w + 2 * xo
                    out[(p * ho + y) * wo + xo] = 0.25 * (v[base] + v[base + 1] + v[base + w] + v[base + w + 1])
                }
            }
        }
        return make(out, [n, c, ho, wo], storedAs: x.precision)
    }

    public func embedding(_ table: Tensor, indices: [Int]) -> Tensor {
        let (rows, width) = (table.shape[0], table.shape[1])
        let v = scalars(table)
        var out: [Float] = []
        out.reserveCapacity(indices.count * width)
        for index in indices {
            precondition(index >= 0 && index < rows, "embedding index \(index) outside 0..<\(rows)")
            out.append(contentsOf: v[(index * width)..<((index + 1) * width)])
        }
        return make(out, [indices.count, width], storedAs: .fp32)
    }
}
