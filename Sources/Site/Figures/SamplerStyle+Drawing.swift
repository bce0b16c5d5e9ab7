import CCairo

/// A sampler's line and marker drawn with cairo, the same in the plot and in its legend.
extension SamplerStyle {
    func stroke(_ cr: OpaquePointer, _ points: [(Double, Double)], width: Double) {
        guard let first = points.first else { return }
        cairo_set_source_rgb(cr, color.red, color.green, color.blue)
        cairo_set_line_width(cr, width)
        cairo_set_dash(cr, dashes, Int32(dashes.count), 0)
        cairo_move_to(cr, first.0, first.1)
        for point in points.dropFirst() { cairo_line_to(cr, point.0, point.1) }
        cairo_stroke(cr)
        cairo_set_dash(cr, nil, 0, 0)
    }

    /// The marker centred on `p`; shapes are sized to look equally heavy (a square's side is 1.7 r, not 2 r).
    func mark(_ cr: OpaquePointer, at p: (Double, Double), radius r: Double) {
        cairo_set_source_rgb(cr, color.red, color.green, color.blue)
        switch marker {
        case .circle: cairo_arc(cr, p.0, p.1, r, 0, 2 * Double.pi)
        case .square: cairo_rectangle(cr, p.0 - r * 0.85, p.1 - r * 0.85, r * 1.7, r * 1.7)
        case .triangle: Self.polygon(cr, [(p.0, p.1 - r * 1.2), (p.0 + r * 1.1, p.1 + r * 0.8), (p.0 - r * 1.1, p.1 + r * 0.8)])
        case .invertedTriangle: Self.polygon(cr, [(p.0, p.1 + r * 1.2), (p.0 + r * 1.1, p.1 - r * 0.8), (p.0 - r * 1.1, p.1 - r * 0.8)])
        case .diamond: Self.polygon(cr, [(p.0, p.1 - r * 1.3), (p.0 + r, p.1), (p.0, p.1 + r * 1.3), (p.0 - r, p.1)])
        case .cross:
            cairo_set_line_width(cr, 0.9)
            cairo_move_to(cr, p.0 - r, p.1 - r)
            cairo_line_to(cr, p.0 + r, p.1 + r)
            cairo_move_to(cr, p.0 - r, p.1 + r)
            cairo_line_to(cr, p.0 + r, p.1 - r)
            cairo_stroke(cr)
            return
        }
        cairo_fill(cr)
    }

    private static func polygon(_ cr: OpaquePointer, _ points: [(Double, Double)]) {
        cairo_move_to(cr, points[0].0, points[0].1)
        for point in points.dropFirst() { cairo_line_to(cr, point.0, point.1) }
        cairo_close_path(cr)
    }
}
