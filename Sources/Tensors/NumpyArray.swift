import Foundation

/// One array of an `.npy` file, held in float64 whatever its stored type (FID statistics are float64).
/// Reads little-endian float64 and float32 in C or Fortran order; writes float64 in C order, format 1.0.
public struct NumpyArray: Equatable, Sendable {
    public var shape: [Int]
    /// Row-major (C order) values.
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) holds \(shape.reduce(1, *)) values, not \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// Parses `.npy` bytes; `name` says where they came from in errors (the file, and the member of an .npz).
    public init(npy data: Data, name: String, url: URL) throws {
        let bytes = [UInt8](data)
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw TensorFileError(url, "'\(name)' is not an .npy array (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard major >= 1 && major <= 3, bytes.count >= 8 + lengthBytes else {
            throw TensorFileError(url, "'\(name)' is .npy format version \(major), which belm does not read (1 to 3)")
        }
        let headerLength = bytes[8..<(8 + lengthBytes)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let dataStart = 8 + lengthBytes + headerLength
        guard dataStart <= bytes.count else {
            throw TensorFileError(url, "'\(name)' .npy header runs past the end of the array; the file is truncated")
        }
        let header = String(decoding: bytes[(8 + lengthBytes)..<dataStart], as: UTF8.self)
        let descr = try Self.field("descr", in: header, pattern: "'([^']*)'", name: name, url: url)
        let fortran = try Self.field("fortran_order", in: header, pattern: "(True|False)", name: name, url: url) == "True"
        let shapeText = try Self.field("shape", in: header, pattern: "\\(([^)]*)\\)", name: name, url: url)
        let shape = try shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { part -> Int in
            guard let n = Int(part), n >= 0 else { throw TensorFileError(url, "'\(name)' has an unreadable shape (\(shapeText))") }
            return n
        }
        let count = shape.reduce(1, *)
        let width: Int
        switch descr {
        case "<f8": width = 8
        case "<f4": width = 4
        default:
            throw TensorFileError(url, "'\(name)' holds dtype '\(descr)'; belm reads little-endian float64 ('<f8') and float32 ('<f4') arrays")
        }
        guard bytes.count - dataStart == count * width else {
            throw TensorFileError(url, "'\(name)' holds \(bytes.count - dataStart) bytes of data, not the \(count * width) its shape \(shape) and dtype '\(descr)' need")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let offset = dataStart + i * width
                values[i] = width == 8
                    ? Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                    : Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
            }
        }
        if fortran && shape.count > 1 { values = Self.columnMajorToRowMajor(values, shape: shape) }
        self.init(shape: shape, values: values)
    }

    /// `.npy` format 1.0, float64, C order: the header padded with spaces to a multiple of 64 bytes, as numpy writes.
    public var npyData: Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.appendLE(UInt16(header.utf8.count))
        data.append(Data(header.utf8))
        data.reserveCapacity(data.count + values.count * 8)
        for value in values { data.appendLE(value.bitPattern) }
        return data
    }

    private static func field(_ key: String, in header: String, pattern: String, name: String, url: URL) throws -> String {
        let regex = try! NSRegularExpression(pattern: "'\(key)'\\s*:\\s*\(pattern)")
        let range = NSRange(header.startIndex..., in: header)
        guard let match = regex.firstMatch(in: header, range: range), let captured = Range(match.range(at: 1), in: header) else {
            throw TensorFileError(url, "'\(name)' .npy header has no readable '\(key)' field")
        }
        return String(header[captured])
    }

    private static func columnMajorToRowMajor(_ values: [Double], shape: [Int]) -> [Double] {
        var out = values
        let rank = shape.count
        var index = [Int](repeating: 0, count: rank)
        for flat in 0..<values.count {
            // `flat` walks the row-major order; its column-major position has the first axis fastest.
            var columnMajor = 0, stride = 1
            for axis in 0..<rank { columnMajor += index[axis] * stride; stride *= shape[axis] }
            out[flat] = values[columnMajor]
            var axis = rank - 1
            while axis >= 0 { index[axis] += 1; if index[axis] < shape[axis] { break }; index[axis] = 0; axis -= 1 }
        }
        return out
    }
}

/// An `.npz` file: a zip of `.npy` arrays named `KEY.npy`, as `np.savez` and `np.savez_compressed` write them.
public enum NPZFile {
    public static func read(_ url: URL) throws -> [String: NumpyArray] {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TensorFileError(url, "cannot be read (\(error.localizedDescription)); check the path")
        }
        var arrays: [String: NumpyArray] = [:]
        for (member, bytes) in try ZipArchive.members(of: data, url: url) where member.hasSuffix(".npy") {
            let key = String(member.dropLast(4))
            arrays[key] = try NumpyArray(npy: bytes, name: key, url: url)
        }
        return arrays
    }

    /// Writes the arrays (sorted by key, so the same arrays give the same bytes) as `np.savez` does, atomically.
    public static func write(_ arrays: [String: NumpyArray], to url: URL) throws {
        let members = arrays.keys.sorted().map { (name: "\($0).npy", data: arrays[$0]!.npyData) }
        try AtomicFile.write(try ZipArchive.storedArchive(members), to: url)
    }
}
