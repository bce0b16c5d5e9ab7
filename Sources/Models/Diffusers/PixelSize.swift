import Foundation

/// A height and width in pixels, written `HxW` (`1024x768`: height first, as diffusers' `(height, width)`
/// tuples) on the command line and in belm.yml.
public struct PixelSize: Sendable, Hashable, Codable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    /// SDXL was trained on sizes up to a few thousand pixels; far larger values only push its size embedding
    /// out of the range it saw, so they are refused as typing mistakes.
    public static let range = 1...65_536

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// Parses `HxW`; the error says what was expected.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let height = Int(parts[0]), let width = Int(parts[1]) else {
            throw PixelValueError("\"\(text)\" is not a size; write height x width in pixels, e.g. 1024x768")
        }
        guard Self.range.contains(height), Self.range.contains(width) else {
            throw PixelValueError("\"\(text)\": height and width must lie in \(Self.range.lowerBound)…\(Self.range.upperBound) pixels")
        }
        self.init(height: height, width: width)
    }

    public var description: String { "\(height)x\(width)" }
}

/// A crop's top-left corner in pixels, written `Y,X` (`0,0`: top first, as diffusers' `crops_coords_top_left`).
public struct PixelOffset: Sendable, Hashable, Codable, CustomStringConvertible {
    public var top: Int
    public var left: Int

    public init(top: Int, left: Int) {
        self.top = top
        self.left = left
    }

    /// Parses `Y,X`; the error says what was expected.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let top = Int(parts[0]), let left = Int(parts[1]) else {
            throw PixelValueError("\"\(text)\" is not a crop corner; write top,left in pixels, e.g. 0,0")
        }
        guard PixelSize.range.contains(top + 1), PixelSize.range.contains(left + 1) else {
            throw PixelValueError("\"\(text)\": top and left must lie in 0…\(PixelSize.range.upperBound - 1) pixels")
        }
        self.init(top: top, left: left)
    }

    public var description: String { "\(top),\(left)" }
}

/// A size or crop corner that does not parse; each front end adds the flag or key it came from.
public struct PixelValueError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
