import CZlib
import Foundation

/// The zip container of `.npz` files: members stored (`np.savez`) or deflated (`np.savez_compressed`), with the
/// zip64 records numpy always writes. Read through the central directory, as every zip reader must, and each
/// member's CRC-32 checked, so a truncated or damaged file fails on open with its name, never as wrong numbers.
public enum ZipArchive {
    /// Every member's bytes by name. Members may be stored (method 0) or deflated (method 8).
    public static func members(of data: Data, url: URL) throws -> [String: Data] {
        let bytes = ByteReader(data: data, url: url)
        let end = try endOfCentralDirectory(bytes)
        var members: [String: Data] = [:]
        var cursor = end.directoryOffset
        for _ in 0..<end.entryCount {
            guard try bytes.u32(cursor) == 0x0201_4b50 else {
                throw TensorFileError(url, "zip central directory entry at byte \(cursor) has a bad signature; the file is truncated or corrupt")
            }
            let flags = try bytes.u16(cursor + 8)
            let method = try bytes.u16(cursor + 10)
            let crc = try bytes.u32(cursor + 16)
            var compressedSize = Int(try bytes.u32(cursor + 20))
            var size = Int(try bytes.u32(cursor + 24))
            let nameLength = Int(try bytes.u16(cursor + 28))
            let extraLength = Int(try bytes.u16(cursor + 30))
            let commentLength = Int(try bytes.u16(cursor + 32))
            var localOffset = Int(try bytes.u32(cursor + 42))
            let name = String(decoding: try bytes.range(cursor + 46, nameLength), as: UTF8.self)
            // Zip64: a field saturated at 0xFFFFFFFF is carried in the 0x0001 extra block, in this order.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try bytes.u16(extra), length = Int(try bytes.u16(extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF { size = Int(try bytes.u64(field)); field += 8 }
                    if compressedSize == 0xFFFF_FFFF { compressedSize = Int(try bytes.u64(field)); field += 8 }
                    if localOffset == 0xFFFF_FFFF { localOffset = Int(try bytes.u64(field)) }
                }
                extra += 4 + length
            }
            cursor = extraEnd + commentLength
            guard flags & 1 == 0 else {
                throw TensorFileError(url, "zip member '\(name)' is encrypted; belm reads only plain .npz files")
            }
            guard try bytes.u32(localOffset) == 0x0403_4b50 else {
                throw TensorFileError(url, "zip member '\(name)' has no local header at byte \(localOffset); the file is truncated or corrupt")
            }
            let start = localOffset + 30 + Int(try bytes.u16(localOffset + 26)) + Int(try bytes.u16(localOffset + 28))
            let stored = try bytes.range(start, compressedSize)
            let contents: Data
            switch method {
            case 0: contents = stored
            case 8: contents = try inflate(stored, size: size, member: name, url: url)
            default:
                throw TensorFileError(url, "zip member '\(name)' uses compression method \(method); belm reads stored (np.savez) and deflated (np.savez_compressed) members")
            }
            guard contents.count == size, checksum(contents) == crc else {
                throw TensorFileError(url, "zip member '\(name)' fails its CRC-32 or size check; the file is corrupt")
            }
            members[name] = contents
        }
        return members
    }

    /// A zip of stored members in the given order: what `np.savez` writes, without zip64 (members stay under 4 GiB).
    /// Dates are fixed at 1980-01-01 so the same members give the same bytes.
    public static func storedArchive(_ members: [(name: String, data: Data)]) throws -> Data {
        var out = Data(), directory = Data()
        for member in members {
            guard member.data.count < 0xFFFF_FFFF, out.count < 0xFFFF_FFFF else {
                throw TensorFileError(URL(fileURLWithPath: member.name), "member is over 4 GiB, past what belm's zip writer holds")
            }
            let name = Data(member.name.utf8), crc = checksum(member.data), offset = UInt32(out.count)
            let size = UInt32(member.data.count)
            out.appendLE(UInt32(0x0403_4b50)); out.appendLE(UInt16(20)); out.appendLE(UInt16(0)); out.appendLE(UInt16(0))
            out.appendLE(UInt16(0)); out.appendLE(UInt16(0x21))
            out.appendLE(crc); out.appendLE(size); out.appendLE(size)
            out.appendLE(UInt16(name.count)); out.appendLE(UInt16(0))
            out.append(name); out.append(member.data)

            directory.appendLE(UInt32(0x0201_4b50)); directory.appendLE(UInt16(20)); directory.appendLE(UInt16(20))
            directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0x21))
            directory.appendLE(crc); directory.appendLE(size); directory.appendLE(size)
            directory.appendLE(UInt16(name.count)); directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0))
            directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0)); directory.appendLE(UInt32(0))
            directory.appendLE(offset); directory.append(name)
        }
        let directoryOffset = UInt32(out.count)
        out.append(directory)
        out.appendLE(UInt32(0x0605_4b50)); out.appendLE(UInt16(0)); out.appendLE(UInt16(0))
        out.appendLE(UInt16(members.count)); out.appendLE(UInt16(members.count))
        out.appendLE(UInt32(directory.count)); out.appendLE(directoryOffset); out.appendLE(UInt16(0))
        return out
    }

    static func checksum(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw in
            UInt32(crc32(0, raw.bindMemory(to: UInt8.self).baseAddress, uInt(raw.count)))
        }
    }

    private struct EndRecord { var entryCount: Int; var directoryOffset: Int }

    private static func endOfCentralDirectory(_ bytes: ByteReader) throws -> EndRecord {
        let count = bytes.data.count
        // The end record is 22 bytes plus a comment of at most 65535.
        var position = count - 22
        let lowest = max(0, count - 22 - 65535)
        while position >= lowest {
            if try bytes.u32(position) == 0x0605_4b50 { break }
            position -= 1
        }
        guard position >= lowest, count >= 22 else {
            throw TensorFileError(bytes.url, "is not a zip file (no end-of-central-directory record); an .npz file is a zip of .npy arrays, as np.savez writes")
        }
        var entries = Int(try bytes.u16(position + 10))
        var offset = Int(try bytes.u32(position + 16))
        if entries == 0xFFFF || offset == 0xFFFF_FFFF {
            let locator = position - 20
            guard locator >= 0, try bytes.u32(locator) == 0x0706_4b50 else {
                throw TensorFileError(bytes.url, "zip end record points to a zip64 record that is not there; the file is corrupt")
            }
            let record = Int(try bytes.u64(locator + 8))
            guard try bytes.u32(record) == 0x0606_4b50 else {
                throw TensorFileError(bytes.url, "zip64 end record at byte \(record) has a bad signature; the file is corrupt")
            }
            entries = Int(try bytes.u64(record + 32))
            offset = Int(try bytes.u64(record + 48))
        }
        return EndRecord(entryCount: entries, directoryOffset: offset)
    }

    private static func inflate(_ deflated: Data, size: Int, member: String, url: URL) throws -> Data {
        var output = Data(count: size)
        var stream = z_stream()
        // Negative window bits: a raw deflate stream, as zip members hold (no zlib header).
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TensorFileError(url, "zip member '\(member)': zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = deflated.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw TensorFileError(url, "zip member '\(member)' does not inflate to its recorded \(size) bytes; the file is corrupt")
        }
        return output
    }
}

/// Little-endian reads that throw, naming the file, instead of reading past its end.
private struct ByteReader {
    let data: Data
    let url: URL

    func range(_ offset: Int, _ length: Int) throws -> Data {
        guard offset >= 0, length >= 0, offset <= data.count - length else {
            throw TensorFileError(url, "a zip record runs past the end of the file (\(data.count) bytes); the file is truncated")
        }
        let start = data.startIndex + offset
        return data.subdata(in: start..<(start + length))
    }

    func u16(_ offset: Int) throws -> UInt16 { UInt16(try uint(offset, 2)) }
    func u32(_ offset: Int) throws -> UInt32 { UInt32(try uint(offset, 4)) }
    func u64(_ offset: Int) throws -> UInt64 { try uint(offset, 8) }

    private func uint(_ offset: Int, _ width: Int) throws -> UInt64 {
        try range(offset, width).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}

extension Data {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
