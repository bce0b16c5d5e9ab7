/// The ten classes of the procedural image set, in class-index order. The order is alphabetical on purpose:
/// a `gmm:` folder lists its class subfolders sorted by name, so the exported set read back as `gmm:DIR`
/// gives the same labels as `builtin:shapes`.
public enum ShapeKind: Int, CaseIterable, Sendable {
    case checkers, cross, diamond, disc, dots, gradient, ring, square, stripes, triangle

    public var name: String { String(describing: self) }
}

/// Where a shape sits and how it looks: drawn once per image from the generator, in a fixed order.
struct ShapeGeometry {
    /// Centre in unit image coordinates (x right, y down).
    var centerX: Double
    var centerY: Double
    /// Radius (half-size) in unit coordinates.
    var size: Double
    /// A unit direction: the orientation of stripes, checkers, crosses, triangles and gradients.
    var directionX: Double
    var directionY: Double
    /// Period of the textures, in unit coordinates.
    var period: Double

    init(drawingFrom generator: inout SplitMix64) {
        centerX = generator.uniform(0.35, 0.65)
        centerY = generator.uniform(0.35, 0.65)
        size = generator.uniform(0.18, 0.32)
        // A uniformly oriented unit vector by rejection: arithmetic and sqrt only, so the same on every machine.
        var dx = 0.0, dy = 0.0, lengthSquared = 0.0
        repeat {
            dx = generator.uniform(-1, 1)
            dy = generator.uniform(-1, 1)
            lengthSquared = dx * dx + dy * dy
        } while lengthSquared < 0.04 || lengthSquared > 1
        let length = lengthSquared.squareRoot()
        directionX = dx / length
        directionY = dy / length
        period = generator.uniform(0.16, 0.3)
    }
}

extension ShapeKind {
    /// How much of the foreground colour shows at the unit-coordinate point (x, y): 0 or 1 for shapes
    /// (anti-aliasing comes from supersampling), a ramp for the gradient.
    func coverage(x: Double, y: Double, _ g: ShapeGeometry) -> Double {
        let dx = x - g.centerX, dy = y - g.centerY
        // Coordinates along and across the shape's direction.
        let along = dx * g.directionX + dy * g.directionY
        let across = -dx * g.directionY + dy * g.directionX
        switch self {
        case .checkers:
            let a = (along / g.period).rounded(.down), b = (across / g.period).rounded(.down)
            return Int(a + b) & 1 == 0 ? 1 : 0
        case .cross:
            let arm = g.size, half = g.size * 0.32
            let inside = (abs(along) < arm && abs(across) < half) || (abs(across) < arm && abs(along) < half)
            return inside ? 1 : 0
        case .diamond:
            return abs(dx) + abs(dy) < g.size * 1.25 ? 1 : 0
        case .disc:
            return dx * dx + dy * dy < g.size * g.size ? 1 : 0
        case .dots:
            // A lattice of small discs, anchored at the centre.
            let cell = g.period * 1.2
            let u = dx / cell - (dx / cell).rounded(), v = dy / cell - (dy / cell).rounded()
            return u * u + v * v < 0.09 ? 1 : 0
        case .gradient:
            return min(max(0.5 + along / 0.9, 0), 1)
        case .ring:
            let r2 = dx * dx + dy * dy
            let outer = g.size * 1.1, inner = g.size * 0.65
            return r2 < outer * outer && r2 >= inner * inner ? 1 : 0
        case .square:
            return max(abs(dx), abs(dy)) < g.size * 0.85 ? 1 : 0
        case .stripes:
            let phase = along / g.period
            return phase - phase.rounded(.down) < 0.5 ? 1 : 0
        case .triangle:
            // Equilateral, one vertex along the direction: inside when on the inner side of all three edges.
            // The edge normals are the direction rotated by 180°, ±60°; the inradius is half the circumradius.
            let s = 3.0.squareRoot() / 2
            let normals = [(-1.0, 0.0), (0.5, s), (0.5, -s)]
            let inradius = g.size * 1.2 * 0.5
            for (c, d) in normals where along * c + across * d > inradius { return 0 }
            return 1
        }
    }
}
