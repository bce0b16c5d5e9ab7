import Foundation

/// Writes float32 and int64 tensors as a `.safetensors` file, keys sorted so that the same tensors give
/// the same bytes. The file is written to a temporary name and renamed into place, so a reader never
/// sees half a file.
public enum SafetensorsWriter {
    public static func encode(floats: [String: HostTensor], ints: [String: HostIntTensor] = [:],
                              metadata: [String: String] = [:]) -> Data {
        var payload = Data()
        var headerFields: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            headerFields.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        let names = (Array(floats.keys) + Array(ints.keys)).sorted()
        for name in names {
            let begin = payload.count
            let shape: [Int]
            let dtype: DType
            if let tensor = floats[name] {
                shape = tensor.shape
                dtype = .f32
                appendLittleEndian(tensor.scalars, to: &payload) { $0.bitPattern.littleEndian }
            } else {
                let tensor = ints[name]!
                shape = tensor.shape
                dtype = .i64
                appendLittleEndian(tensor.scalars, to: &payload) { $0.littleEndian }
            }
            let shapeText = shape.map(String.init).joined(separator: ",")
            headerFields.append("\(jsonString(name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shapeText)],\"data_offsets\":[\(begin),\(payload.count)]}")
        }
        var header = Data("{\(headerFields.joined(separator: ","))}".utf8)
        // Pad the header with spaces to a multiple of 8 so the data section is aligned, as the reference writer does.
        while (header.count % 8) != 0 { header.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(header)
        file.append(payload)
        return file
    }

    /// The values' bytes in little-endian order: on a little-endian host, the array's memory in one copy (a value
    /// at a time costs seconds for a 100 MB file in a debug build); elsewhere each value's `littleEndian` form.
    private static func appendLittleEndian<Value, Stored>(_ values: [Value], to payload: inout Data, _ littleEndian: (Value) -> Stored) {
        #if _endian(little)
        values.withUnsafeBytes { payload.append(contentsOf: $0) }
        #else
        for value in values { withUnsafeBytes(of: littleEndian(value)) { payload.append(contentsOf: $0) } }
        #endif
    }

    public static func write(floats: [String: HostTensor], ints: [String: HostIntTensor] = [:],
                             metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(floats: floats, ints: ints, metadata: metadata), to: url)
    }

    private static func jsonString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
