import Foundation
import Tensors

/// A diffusers `config.json` (or `scheduler_config.json`, `model_index.json`): typed reads whose errors name
/// the file and the field, and a check that no field belm does not understand is set.
public struct DiffusersConfig: @unchecked Sendable {
    public let url: URL
    /// The parsed JSON object, for callers that want the raw values (e.g. a scheduler's settings).
    public let fields: [String: Any]

    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TensorFileError(url, "cannot be read (\(error.localizedDescription)); check the model folder")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let fields = object as? [String: Any] else {
            throw TensorFileError(url, "is not a JSON object; the file is corrupt")
        }
        self.init(fields: fields, url: url)
    }

    public init(fields: [String: Any], url: URL) {
        self.url = url
        self.fields = fields
    }

    func error(_ key: String, _ problem: String) -> TensorFileError {
        TensorFileError(url, "field \"\(key)\" \(problem)")
    }

    /// True when the key is absent or JSON null.
    func isUnset(_ key: String) -> Bool { fields[key] == nil || fields[key] is NSNull }

    public func int(_ key: String, default fallback: Int? = nil) throws -> Int {
        if isUnset(key), let fallback { return fallback }
        guard let value = HeaderSizes.wholeNumber(fields[key]) else {
            throw error(key, isUnset(key) ? "is missing; it must be an integer" : "must be an integer, not \(describe(key))")
        }
        return value
    }

    /// An integer that must lie in `range` (a size: see `ModelSizeLimits`); the error says the range.
    public func int(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int>) throws -> Int {
        let value = try int(key, default: fallback)
        guard range.contains(value) else { throw error(key, "is \(value); it must be \(Self.describe(range))") }
        return value
    }

    public func optionalInt(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        isUnset(key) ? nil : try int(key, in: range)
    }

    public func optionalInt(_ key: String) throws -> Int? {
        isUnset(key) ? nil : try int(key)
    }

    public func double(_ key: String, default fallback: Double? = nil) throws -> Double {
        if isUnset(key), let fallback { return fallback }
        guard let number = fields[key] as? NSNumber, !Self.isBool(number), number.doubleValue.isFinite else {
            throw error(key, isUnset(key) ? "is missing; it must be a number" : "must be a finite number, not \(describe(key))")
        }
        return number.doubleValue
    }

    /// A number that must be greater than zero: a norm's epsilon (zero divides by zero on a constant input, and
    /// a negative one takes the square root of a negative variance, both giving NaN everywhere) or a scale.
    public func positiveDouble(_ key: String, default fallback: Double, hint: String) throws -> Double {
        let value = try double(key, default: fallback)
        guard value > 0 else { throw error(key, "is \(describe(key)); it must be greater than 0 (\(hint))") }
        return value
    }

    public func bool(_ key: String, default fallback: Bool? = nil) throws -> Bool {
        if isUnset(key), let fallback { return fallback }
        guard let number = fields[key] as? NSNumber, Self.isBool(number) else {
            throw error(key, isUnset(key) ? "is missing; it must be true or false" : "must be true or false, not \(describe(key))")
        }
        return number.boolValue
    }

    public func string(_ key: String, default fallback: String? = nil) throws -> String {
        if isUnset(key), let fallback { return fallback }
        guard let text = fields[key] as? String else {
            throw error(key, isUnset(key) ? "is missing; it must be a string" : "must be a string, not \(describe(key))")
        }
        return text
    }

    public func optionalString(_ key: String) throws -> String? {
        isUnset(key) ? nil : try string(key)
    }

    public func ints(_ key: String, default fallback: [Int]? = nil) throws -> [Int] {
        if isUnset(key), let fallback { return fallback }
        guard let array = fields[key] as? [Any], let values = array.map(HeaderSizes.wholeNumber) as? [Int] else {
            throw error(key, isUnset(key) ? "is missing; it must be a list of integers" : "must be a list of integers, not \(describe(key))")
        }
        return values
    }

    /// A list of sizes: `count` entries (a number of levels, say), each in `range`.
    public func ints(_ key: String, default fallback: [Int]? = nil, count: ClosedRange<Int>, each range: ClosedRange<Int>) throws -> [Int] {
        let values = try ints(key, default: fallback)
        guard count.contains(values.count) else {
            throw error(key, "has \(values.count) entries; it must have \(Self.describe(count))")
        }
        if let bad = values.first(where: { !range.contains($0) }) {
            throw error(key, "contains \(bad); each entry must be \(Self.describe(range))")
        }
        return values
    }

    public func strings(_ key: String, default fallback: [String]? = nil) throws -> [String] {
        if isUnset(key), let fallback { return fallback }
        guard let array = fields[key] as? [Any], let values = array.map({ $0 as? String }) as? [String] else {
            throw error(key, isUnset(key) ? "is missing; it must be a list of strings" : "must be a list of strings, not \(describe(key))")
        }
        return values
    }

    /// A string field whose value must be one of `allowed`.
    public func choice(_ key: String, _ allowed: [String], default fallback: String) throws -> String {
        let value = try string(key, default: fallback)
        guard allowed.contains(value) else {
            throw error(key, "is \"\(value)\", which belm does not support; supported: \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return value
    }

    /// An integer, or a list of them with one per level (diffusers accepts both for per-level settings).
    public func intPerLevel(_ key: String, levels: Int, default fallback: Int? = nil, in range: ClosedRange<Int> = Int.min...Int.max) throws -> [Int] {
        if fields[key] is [Any] {
            let values = try ints(key)
            guard values.count == levels else {
                throw error(key, "has \(values.count) entries for \(levels) levels")
            }
            if let bad = values.first(where: { !range.contains($0) }) {
                throw error(key, "contains \(bad); each entry must be \(Self.describe(range))")
            }
            return values
        }
        return [Int](repeating: try int(key, default: fallback, in: range), count: levels)
    }

    /// `sample_size`: one number, or [height, width] in some configs (belm runs square samples of the
    /// height), each within `ModelSizeLimits.sampleSize`.
    public func sampleSize() throws -> Int? {
        let key = "sample_size"
        guard let pair = fields[key] as? [Any] else { return try optionalInt(key, in: ModelSizeLimits.sampleSize) }
        guard pair.count == 2, let sides = pair.map(HeaderSizes.wholeNumber) as? [Int] else {
            throw error(key, "is \(describe(key)); it must be an integer or [height, width]")
        }
        guard sides.allSatisfy(ModelSizeLimits.sampleSize.contains) else {
            throw error(key, "is \(describe(key)); each side must be \(Self.describe(ModelSizeLimits.sampleSize))")
        }
        return sides[0]
    }

    /// A field belm implements only at one value (absent and null also accepted): anything else is refused.
    public func requireDefault<T: Equatable>(_ key: String, _ value: T?) throws {
        if isUnset(key) { return }
        if let value, let given = fields[key] as? T, given == value { return }
        throw error(key, "is \(describe(key)); belm implements only \(value.map { "\($0)" } ?? "null") for this field")
    }

    /// Fails on any set field outside `known`: a field belm silently ignored could change what the model computes.
    /// Underscore-prefixed bookkeeping fields (`_class_name`, `_diffusers_version`, …) and nulls are allowed.
    public func rejectUnknownFields(known: Set<String>) throws {
        for key in fields.keys.sorted() where !key.hasPrefix("_") && !known.contains(key) && !isUnset(key) {
            throw error(key, "is not a setting belm understands for this model, so it cannot promise to honour it; remove it if it is at its default, otherwise this model is not supported")
        }
    }

    /// Checks `_class_name` when the file has one.
    public func expectClass(_ names: [String]) throws {
        guard let name = fields["_class_name"] as? String else { return }
        guard names.contains(name) else {
            throw error("_class_name", "is \"\(name)\", but belm reads this folder as \(names.joined(separator: " or "))")
        }
    }

    private func describe(_ key: String) -> String {
        fields[key].map(HeaderSizes.describe) ?? "nothing"
    }

    private static func isBool(_ number: NSNumber) -> Bool { HeaderSizes.isBool(number) }

    /// "between 1 and 4096" (what a range-checked field's error says it must be).
    static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
    }
}

extension DiffusersConfig {
    /// Whether a down/up block type is the attention variant of a block pair (e.g. "DownBlock2D" /
    /// "AttnDownBlock2D"); any other type is refused, naming the field.
    func blockHasAttention(_ type: String, plain: String, attention: String, field: String) throws -> Bool {
        // diffusers accepts a "UNetRes" prefix on every block name and strips it.
        let name = type.hasPrefix("UNetRes") ? String(type.dropFirst(7)) : type
        if name == plain { return false }
        if name == attention { return true }
        throw error(field, "contains \"\(type)\", a block type belm does not implement; supported: \"\(plain)\", \"\(attention)\"")
    }
}
