import Yams

/// A YAML node with its position, read into typed values with errors that name the file, line and fix.
/// The config is read through this rather than Codable so that every error carries a line number and
/// unknown keys are refused instead of ignored.
struct YAMLValue {
    let node: Node
    let file: String
    /// What the value is, in words, for messages ("experiment 'sampling', key 'steps'").
    let path: String

    var line: Int? { node.mark?.line }
    var column: Int? { node.mark?.column }

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, message)
    }

    private var kindName: String {
        switch node {
        case .scalar: "a single value"
        case .mapping: "a mapping (key: value lines)"
        case .sequence: "a list"
        }
    }

    /// The keys of a mapping, each with its value; refuses keys not in `allowed` and repeated keys.
    func mapping(allowed: [String]) throws -> [String: YAMLValue] {
        guard case let .mapping(mapping) = node else {
            throw error("\(path) must be a mapping (key: value lines), found \(kindName)")
        }
        var result: [String: YAMLValue] = [:]
        for (keyNode, valueNode) in mapping {
            let keyValue = YAMLValue(node: keyNode, file: file, path: path)
            guard case let .scalar(key) = keyNode else { throw keyValue.error("keys in \(path) must be plain words") }
            guard allowed.contains(key.string) else {
                throw keyValue.error("unknown key '\(key.string)' in \(path)" + Suggestion.didYouMean(key.string, among: allowed))
            }
            guard result[key.string] == nil else {
                throw keyValue.error("key '\(key.string)' appears twice in \(path); keep one")
            }
            result[key.string] = YAMLValue(node: valueNode, file: file, path: "\(path), key '\(key.string)'")
        }
        return result
    }

    /// A mapping with free-form keys (model names), in file order.
    func entries() throws -> [(key: String, keyValue: YAMLValue, value: YAMLValue)] {
        guard case let .mapping(mapping) = node else {
            throw error("\(path) must be a mapping (name: value lines), found \(kindName)")
        }
        var seen = Set<String>()
        var result: [(String, YAMLValue, YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            let keyValue = YAMLValue(node: keyNode, file: file, path: path)
            guard case let .scalar(key) = keyNode else { throw keyValue.error("names in \(path) must be plain words") }
            guard seen.insert(key.string).inserted else { throw keyValue.error("'\(key.string)' appears twice in \(path); keep one") }
            result.append((key.string, keyValue, YAMLValue(node: valueNode, file: file, path: "\(path) '\(key.string)'")))
        }
        return result
    }

    func list() throws -> [YAMLValue] {
        guard case let .sequence(sequence) = node else {
            throw error("\(path) must be a list, like [a, b] or lines starting with '- ', found \(kindName)")
        }
        return sequence.enumerated().map { YAMLValue(node: $1, file: file, path: "\(path), item \($0 + 1)") }
    }

    /// A one-item list may be written as the item alone: `seeds: 0` means `seeds: [0]`.
    func listOrSingle() throws -> [YAMLValue] {
        if case .scalar = node { return [self] }
        return try list()
    }

    func string() throws -> String {
        guard case let .scalar(scalar) = node else {
            throw error("\(path) must be text, found \(kindName); quote it if it contains ':' or '#'")
        }
        return scalar.string
    }

    func int(in range: ClosedRange<Int>? = nil) throws -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error("\(path) must be a whole number, found \(describeValue)")
        }
        if let range, !range.contains(value) {
            throw error("\(path) must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
        }
        return value
    }

    /// `true` or `false` (YAML 1.1's yes/no/on/off are refused: they read as text in other tools).
    func bool() throws -> Bool {
        guard case let .scalar(scalar) = node, let value = ["true": true, "false": false][scalar.string] else {
            throw error("\(path) must be true or false, found \(describeValue)")
        }
        return value
    }

    func double(in range: ClosedRange<Double>? = nil) throws -> Double {
        guard case .scalar = node, let value = node.float, value.isFinite else {
            throw error("\(path) must be a number, found \(describeValue)")
        }
        if let range, !range.contains(value) {
            throw error("\(path) must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            let names = T.allCases.map(\.rawValue)
            throw error("\(path): unknown value '\(text)'" + Suggestion.didYouMean(text, among: names))
        }
        return value
    }

    private var describeValue: String {
        if case let .scalar(scalar) = node { return "'\(scalar.string)'" }
        return kindName
    }
}
