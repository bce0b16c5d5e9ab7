import Foundation

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range, then the raw little-endian data. The whole header is validated on open, so a
/// truncated or malformed file fails there with a message naming the file and the field, never later.
public struct SafetensorsFile {
    public struct Entry: Equatable, Sendable {
        public var dtype: DType
        public var shape: [Int]
        public var byteRange: Range<Int>
    }

    public let url: URL
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    public var names: [String] { entries.keys.sorted() }

    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TensorFileError(url, "cannot be read (\(error.localizedDescription)); check the path")
        }
        try self.init(data: data, url: url)
    }

    public init(data: Data, url: URL) throws {
        self.url = url
        self.data = data
        guard data.count >= 8 else {
            throw TensorFileError(url, "is \(data.count) bytes, too short for the 8-byte header length; the file is truncated")
        }
        let headerLength = data.prefix(8).reversed().reduce(UInt64(0)) { (sum: UInt64, byte: UInt8) in sum << 8 | UInt64(byte) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw TensorFileError(url, "header length \(headerLength) runs past the end of the file (\(data.count) bytes); the file is truncated or not safetensors")
        }
        guard headerLength <= 100_000_000 else {
            throw TensorFileError(url, "header length \(headerLength) is implausibly large; the file is not safetensors")
        }
        let headerBytes = data.subdata(in: 8..<(8 + Int(headerLength)))
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerBytes)
        } catch {
            throw TensorFileError(url, "header is not valid JSON; the file is corrupt or not safetensors")
        }
        guard let header = json as? [String: Any] else {
            throw TensorFileError(url, "header is JSON but not an object of tensors")
        }
        dataStart = 8 + Int(headerLength)
        let payloadSize = data.count - dataStart
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let fields = value as? [String: Any] else {
                    throw TensorFileError(url, "__metadata__ must be an object of strings")
                }
                for (key, field) in fields {
                    guard let text = field as? String else {
                        throw TensorFileError(url, "__metadata__.\(key) must be a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries[name] = try Self.parseEntry(name: name, value: value, payloadSize: payloadSize, url: url)
        }
        // Byte ranges must not overlap: two tensors sharing bytes means the header is lying.
        let sorted = entries.sorted { $0.value.byteRange.lowerBound < $1.value.byteRange.lowerBound }
        for (previous, next) in zip(sorted, sorted.dropFirst())
        where previous.value.byteRange.upperBound > next.value.byteRange.lowerBound {
            throw TensorFileError(url, "tensors '\(previous.key)' and '\(next.key)' have overlapping data_offsets; the file is corrupt")
        }
        self.entries = entries
        self.metadata = metadata
    }

    private static func parseEntry(name: String, value: Any, payloadSize: Int, url: URL) throws -> Entry {
        guard let fields = value as? [String: Any] else {
            throw TensorFileError(url, "tensor '\(name)' must be an object with dtype, shape and data_offsets")
        }
        guard let dtypeName = fields["dtype"] as? String else {
            throw TensorFileError(url, "tensor '\(name)' has no dtype string")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw TensorFileError(url, "tensor '\(name)' has dtype \(dtypeName), which belm does not read; supported: \(DType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let shapeValues = fields["shape"] as? [Any] else {
            throw TensorFileError(url, "tensor '\(name)' has no valid shape (an array of non-negative integers)")
        }
        let shape = try shapeValues.enumerated().map { axis, value -> Int in
            guard let dimension = HeaderSizes.wholeNumber(value), dimension >= 0 else {
                throw TensorFileError(url, "tensor '\(name)' shape entry \(axis) is \(HeaderSizes.describe(value)); a shape is an array of non-negative integers")
            }
            return dimension
        }
        guard let offsetValues = fields["data_offsets"] as? [Any], offsetValues.count == 2,
              let begin = HeaderSizes.wholeNumber(offsetValues[0]),
              let end = HeaderSizes.wholeNumber(offsetValues[1]), begin >= 0, begin <= end else {
            throw TensorFileError(url, "tensor '\(name)' has no valid data_offsets [begin, end] (two integers, 0 ≤ begin ≤ end)")
        }
        guard end <= payloadSize else {
            throw TensorFileError(url, "tensor '\(name)' data_offsets end \(end) is past the data section (\(payloadSize) bytes); the file is truncated")
        }
        guard let count = HeaderSizes.elementCount(shape), let expected = HeaderSizes.product(count, dtype.byteSize) else {
            throw TensorFileError(url, "tensor '\(name)' shape \(shape) has too many elements to address (its \(dtypeName) byte count overflows 64 bits); the header is corrupt")
        }
        guard end - begin == expected else {
            throw TensorFileError(url, "tensor '\(name)' has \(end - begin) bytes but shape \(shape) of \(dtypeName) needs \(expected)")
        }
        return Entry(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    public func entry(_ name: String) throws -> Entry {
        guard let entry = entries[name] else {
            let known = names.prefix(8).joined(separator: ", ")
            throw TensorFileError(url, "has no tensor '\(name)' (it holds \(entries.count): \(known)\(entries.count > 8 ? ", …" : ""))")
        }
        return entry
    }

    /// A floating-point (or integer) tensor converted to float32.
    public func floatTensor(_ name: String) throws -> HostTensor {
        let entry = try entry(name)
        return HostTensor(shape: entry.shape, scalars: decode(entry, as: Float.self))
    }

    /// An integer tensor as Int64; float tensors holding whole numbers are accepted too (timesteps are often float).
    public func intTensor(_ name: String) throws -> HostIntTensor {
        let entry = try entry(name)
        if entry.dtype.isFloatingPoint {
            let values = decode(entry, as: Float.self)
            guard values.allSatisfy({ $0 == $0.rounded() }) else {
                throw TensorFileError(url, "tensor '\(name)' must hold whole numbers")
            }
            return HostIntTensor(shape: entry.shape, scalars: values.map { Int64($0) })
        }
        return HostIntTensor(shape: entry.shape, scalars: decode(entry, as: Int64.self))
    }

    private func decode(_ entry: Entry, as: Float.Type) -> [Float] {
        // float32 is what nearly every checkpoint holds: copy it straight out (the file is little-endian,
        // as is every platform belm runs on) instead of going through the general per-element path.
        if entry.dtype == .f32 && UInt32(1).littleEndian == 1 {
            let count = entry.shape.reduce(1, *)
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
                data.withUnsafeBytes { raw in
                    let source = UnsafeRawBufferPointer(rebasing: raw[(dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound)])
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
                }
                initialised = count
            }
        }
        return decodeScalars(entry).map { Float($0) }
    }

    private func decode(_ entry: Entry, as: Int64.Type) -> [Int64] {
        data.withUnsafeBytes { raw -> [Int64] in
            let base = raw.baseAddress!.advanced(by: dataStart + entry.byteRange.lowerBound)
            let count = entry.shape.reduce(1, *)
            func load<I: FixedWidthInteger>(_ type: I.Type) -> [Int64] {
                (0..<count).map { Int64(I(littleEndian: base.loadUnaligned(fromByteOffset: $0 * MemoryLayout<I>.size, as: I.self))) }
            }
            switch entry.dtype {
            case .i64: return load(Int64.self)
            case .i32: return load(Int32.self)
            case .i16: return load(Int16.self)
            case .i8: return load(Int8.self)
            case .u8, .bool: return load(UInt8.self)
            default: return []
            }
        }
    }

    private func decodeScalars(_ entry: Entry) -> [Double] {
        data.withUnsafeBytes { raw -> [Double] in
            let base = raw.baseAddress!.advanced(by: dataStart + entry.byteRange.lowerBound)
            let count = entry.shape.reduce(1, *)
            func bits<I: FixedWidthInteger>(_ type: I.Type, _ i: Int) -> I {
                I(littleEndian: base.loadUnaligned(fromByteOffset: i * MemoryLayout<I>.size, as: I.self))
            }
            switch entry.dtype {
            case .f64: return (0..<count).map { Double(bitPattern: bits(UInt64.self, $0)) }
            case .f32: return (0..<count).map { Double(Float(bitPattern: bits(UInt32.self, $0))) }
            case .f16: return (0..<count).map { Double(HalfPrecision.float(fromHalfBits: bits(UInt16.self, $0))) }
            case .bf16: return (0..<count).map { Double(HalfPrecision.float(fromBFloat16Bits: bits(UInt16.self, $0))) }
            case .i64: return (0..<count).map { Double(Int64(bitPattern: bits(UInt64.self, $0))) }
            case .i32: return (0..<count).map { Double(Int32(bitPattern: bits(UInt32.self, $0))) }
            case .i16: return (0..<count).map { Double(Int16(bitPattern: bits(UInt16.self, $0))) }
            case .i8: return (0..<count).map { Double(Int8(bitPattern: bits(UInt8.self, $0))) }
            case .u8, .bool: return (0..<count).map { Double(bits(UInt8.self, $0)) }
            }
        }
    }
}

/// An error in a tensor or model file: the message names the file and says what is wrong and what to do.
public struct TensorFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String

    public init(_ url: URL, _ problem: String) {
        self.path = url.path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
