import Foundation
import Testing
@testable import Tensors

@Suite struct SafetensorsTests {
    let url = URL(fileURLWithPath: "/tmp/test.safetensors")

    @Test func roundTripsFloatsIntsAndMetadata() throws {
        let floats = ["b": HostTensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, .pi, -1e-7]),
                      "a": HostTensor(shape: [], scalars: [42])]
        let ints = ["t": HostIntTensor(shape: [3], scalars: [999, 1, -5])]
        let data = SafetensorsWriter.encode(floats: floats, ints: ints, metadata: ["format": "pt"])
        let file = try SafetensorsFile(data: data, url: url)
        #expect(file.names == ["a", "b", "t"])
        #expect(try file.floatTensor("b") == floats["b"])
        #expect(try file.floatTensor("a") == floats["a"])
        #expect(try file.intTensor("t") == ints["t"])
        #expect(file.metadata == ["format": "pt"])
    }

    @Test func sameTensorsGiveSameBytes() {
        let floats = ["x": HostTensor(shape: [1], scalars: [1]), "y": HostTensor(shape: [1], scalars: [2])]
        #expect(SafetensorsWriter.encode(floats: floats) == SafetensorsWriter.encode(floats: floats))
    }

    @Test func decodesHalfAndBFloat16() {
        #expect(HalfPrecision.float(fromHalfBits: 0x3C00) == 1)
        #expect(HalfPrecision.float(fromHalfBits: 0xC000) == -2)
        #expect(HalfPrecision.float(fromHalfBits: 0x0001) == Float(sign: .plus, exponent: -24, significand: 1))
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x3F80) == 1)
    }

    /// A file built by hand from a header string, to reach every malformed case.
    func file(header: String, payload: Int = 0, headerLength: UInt64? = nil) -> Data {
        var data = Data()
        let bytes = Data(header.utf8)
        withUnsafeBytes(of: (headerLength ?? UInt64(bytes.count)).littleEndian) { data.append(contentsOf: $0) }
        data.append(bytes)
        data.append(Data(count: payload))
        return data
    }

    func problem(_ data: Data) -> String? {
        do { _ = try SafetensorsFile(data: data, url: url); return nil } catch let error as TensorFileError {
            #expect(error.description.hasPrefix(url.path))
            return error.problem
        } catch { return "\(error)" }
    }

    @Test func rejectsMalformedFiles() {
        #expect(problem(Data([1, 2, 3]))?.contains("too short") == true)
        #expect(problem(file(header: "{}", headerLength: 1000))?.contains("past the end") == true)
        #expect(problem(file(header: "{not json"))?.contains("not valid JSON") == true)
        #expect(problem(file(header: "[1]"))?.contains("not an object") == true)
        #expect(problem(file(header: #"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, payload: 4))?.contains("dtype F33") == true)
        #expect(problem(file(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, payload: 4))?.contains("shape") == true)
        #expect(problem(file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, payload: 4))?.contains("truncated") == true)
        #expect(problem(file(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, payload: 8))?.contains("needs 12") == true)
        #expect(problem(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, payload: 12))?.contains("overlapping") == true)
        #expect(problem(file(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, payload: 4))?.contains("data_offsets") == true)
    }

    /// Headers that lie about sizes: a shape whose element count overflows `Int`, fractional or non-numeric
    /// dimensions and offsets. Each is refused naming the tensor and the field, never trapped on or rounded.
    @Test func refusesShapesAndOffsetsThatAreNotWholeAddressableSizes() {
        let huge = 1 << 40
        let overflow = problem(file(header: #"{"noise":{"dtype":"F32","shape":[\#(huge),\#(huge),\#(huge),3],"data_offsets":[0,4]}}"#, payload: 4))
        #expect(overflow?.contains("'noise'") == true && overflow?.contains("shape") == true && overflow?.contains("too many elements") == true, "\(overflow ?? "accepted")")
        // The byte count alone can overflow too: 2^61 float32 elements are 2^63 bytes.
        let bytes = problem(file(header: #"{"w":{"dtype":"F32","shape":[\#(1 << 61)],"data_offsets":[0,4]}}"#, payload: 4))
        #expect(bytes?.contains("too many elements") == true, "\(bytes ?? "accepted")")
        // A zero dimension makes an empty tensor, but the other dimensions must still multiply within Int:
        // every later product over the shape (in any order) then stays in range.
        #expect(problem(file(header: #"{"e":{"dtype":"F32","shape":[\#(huge),0,3],"data_offsets":[0,0]}}"#)) == nil)
        let emptyOverflow = problem(file(header: #"{"e":{"dtype":"F32","shape":[\#(huge),\#(huge),0],"data_offsets":[0,0]}}"#))
        #expect(emptyOverflow?.contains("too many elements") == true, "\(emptyOverflow ?? "accepted")")
        for shape in ["[1.5,3,32,32]", "[1e30]", "[true]", "[\"4\"]", "[-3]", "3"] {
            let refused = problem(file(header: #"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,4]}}"#, payload: 4))
            #expect(refused?.contains("'w'") == true && refused?.contains("shape") == true, "shape \(shape): \(refused ?? "accepted")")
        }
        for offsets in ["[0.5,4.5]", "[0,4.0000001]", "[0,1e30]", "[-4,0]", "[4,0]"] {
            let refused = problem(file(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":\#(offsets)}}"#, payload: 8))
            #expect(refused?.contains("data_offsets") == true, "data_offsets \(offsets): \(refused ?? "accepted")")
        }
    }

    @Test func missingTensorNamesWhatTheFileHolds() throws {
        let file = try SafetensorsFile(data: SafetensorsWriter.encode(floats: ["conv.weight": HostTensor(shape: [1], scalars: [0])]), url: url)
        #expect(throws: TensorFileError.self) { try file.floatTensor("conv.bias") }
        do { _ = try file.floatTensor("conv.bias") } catch { #expect("\(error)".contains("conv.weight")) }
    }

    @Test func atomicWriteLeavesNoPartialFile() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("belm-atomic-\(getpid())")
        let target = directory.appendingPathComponent("x.safetensors")
        try SafetensorsWriter.write(floats: ["x": HostTensor(shape: [1], scalars: [7])], to: target)
        let listing = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(listing == ["x.safetensors"])
        #expect(try SafetensorsFile(contentsOf: target).floatTensor("x").scalars == [7])
        try FileManager.default.removeItem(at: directory)
    }
}
