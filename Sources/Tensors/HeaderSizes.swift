import Foundation

/// Sizes read from a file's header (tensor shapes, byte offsets, config fields) arrive as JSON numbers a
/// writer chose: they are accepted only as whole numbers that fit in `Int`, and multiplied only with the
/// overflow checked, so a lying header becomes an error naming the field instead of a trap or a rounding.
public enum HeaderSizes {
    /// The value as an `Int` when it is a JSON number with no fractional part within `Int`'s range; nil for
    /// fractions (1.5 is not read as 1), booleans, strings, and magnitudes past 2^63.
    public static func wholeNumber(_ value: Any?) -> Int? {
        guard let number = value as? NSNumber, !isBool(number) else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double.rounded(.towardZero) == double, abs(double) < 0x1p63 else { return nil }
        // int64Value is exact for integers JSON held exactly; the comparison rejects anything it had to round.
        let integer = number.int64Value
        guard Double(integer) == double else { return nil }
        return Int(integer)
    }

    /// Elements of a tensor of `shape` (all dimensions non-negative), or nil when the non-zero dimensions
    /// multiply past `Int.max`. Refusing that even when a zero dimension makes the tensor empty keeps every
    /// later product over the shape, in whatever order it is taken, in range.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape where dimension != 0 {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return shape.contains(0) ? 0 : count
    }

    /// `factors` multiplied, or nil on overflow (sizes computed from several header fields, e.g. width ×
    /// height × channels).
    public static func product(_ factors: Int...) -> Int? { elementCount(factors) }

    /// A JSON value as its JSON text, for messages ("1.5", "\"4\"", "true").
    public static func describe(_ value: Any) -> String {
        if let data = try? JSONSerialization.data(withJSONObject: [value], options: [.fragmentsAllowed]),
           let text = String(data: data, encoding: .utf8) {
            return String(text.dropFirst().dropLast())
        }
        return "\(value)"
    }

    /// JSON booleans arrive as NSNumbers too; their Objective-C type code "c" is what tells them apart.
    public static func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
