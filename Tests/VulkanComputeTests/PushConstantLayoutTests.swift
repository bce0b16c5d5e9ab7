import Foundation
import Testing
@testable import VulkanCompute

/// Each kernel's push-constant struct (generated from its shader by GLSLCompilerPlugin) has exactly the layout the
/// compiled shader reads: the same members as the GLSL `Params` block, in order and type (read from the `.comp` text
/// here, independently of the generator), at the byte offsets the SPIR-V decorates them with, within 128 bytes.
@Suite struct PushConstantLayoutTests {
    static let shaders = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/VulkanCompute/Shaders").standardizedFileURL

    @Test func everyShaderIsAKernelAndEveryKernelAShader() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.shaders.path).filter { $0.hasSuffix(".comp") }
        #expect(Set(files) == Set(Kernel.allCases.map(\.shaderFile)))
        #expect(files.count == Kernel.allCases.count)
    }

    @Test(arguments: Kernel.allCases)
    func pushConstantsMatchTheShader(kernel: Kernel) throws {
        let text = try String(contentsOf: Self.shaders.appendingPathComponent(kernel.shaderFile), encoding: .utf8)
        let glsl = Self.glslMembers(text)
        let compiled = try #require(SPIRVPushConstants(words: SPIRV.words(kernel.spirv, name: kernel.rawValue)),
                                    "\(kernel.shaderFile) declares no push constants")
        check(kernel.pushConstants, kernel: kernel, glsl: glsl, compiled: compiled)
    }

    private func check<Params: PushConstants>(_ type: Params.Type, kernel: Kernel, glsl: [(name: String, type: String)],
                                              compiled: SPIRVPushConstants) {
        #expect(Params.kernel == kernel)
        #expect(MemoryLayout<Params>.size <= Kernel.pushConstantBytes)
        #expect(MemoryLayout<Params>.size == compiled.size, "\(kernel.shaderFile): Swift \(MemoryLayout<Params>.size) bytes, SPIR-V \(compiled.size)")
        #expect(Params.fieldOffsets.map(\.name) == glsl.map(\.name), "\(kernel.shaderFile): member names")
        #expect(Params.fieldOffsets.map(\.offset) == compiled.offsets, "\(kernel.shaderFile): member offsets")
        // The Swift members' types, read off a zeroed value.
        let zeroed = [UInt8](repeating: 0, count: max(1, MemoryLayout<Params>.size))
            .withUnsafeBytes { $0.loadUnaligned(as: Params.self) }
        let swiftTypes = Mirror(reflecting: zeroed).children.map { Self.glslType(of: $0.value) }
        #expect(swiftTypes == glsl.map(\.type), "\(kernel.shaderFile): member types")
    }

    /// `uint`, `float`, `int`, or `uint[6]` for a member value of the generated struct.
    static func glslType(of value: Any) -> String {
        switch value {
        case is UInt32: return "uint"
        case is Float: return "float"
        case is Int32: return "int"
        case is (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32): return "uint[6]"
        default: return "unknown \(type(of: value))"
        }
    }

    /// The members of the `layout(push_constant)` block as written: `uint dims[6];` is ("dims", "uint[6]").
    static func glslMembers(_ text: String) -> [(name: String, type: String)] {
        guard let start = text.range(of: "layout(push_constant)"),
              let open = text[start.upperBound...].firstIndex(of: "{"),
              let close = text[open...].firstIndex(of: "}") else { return [] }
        return text[text.index(after: open)..<close].split(separator: ";").compactMap { member in
            let words = member.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count == 2 else { return nil }
            guard let bracket = words[1].firstIndex(of: "[") else { return (words[1], words[0]) }
            return (String(words[1][..<bracket]), words[0] + words[1][bracket...])
        }
    }
}

/// The push-constant block of a SPIR-V module: its members' byte offsets (the `Offset` decorations the driver reads
/// by) and its size (the last member's offset plus that member's size).
struct SPIRVPushConstants {
    let offsets: [Int]
    let size: Int

    init?(words: [UInt32]) {
        var instructions: [(opcode: UInt32, operands: ArraySlice<UInt32>)] = []
        var index = 5  // after the header
        while index < words.count {
            let count = Int(words[index] >> 16), opcode = words[index] & 0xFFFF
            guard count > 0, index + count <= words.count else { return nil }
            instructions.append((opcode, words[(index + 1)..<(index + count)]))
            index += count
        }
        func operands(_ opcode: UInt32, result: UInt32, at position: Int) -> ArraySlice<UInt32>? {
            instructions.first { $0.opcode == opcode && $0.operands[$0.operands.startIndex + position] == result }?.operands
        }
        // OpVariable (59): result type, result id, storage class PushConstant (9).
        guard let variable = instructions.first(where: { $0.opcode == 59 && $0.operands.dropFirst(2).first == 9 }),
              // OpTypePointer (32): result id, storage class, pointee type.
              let pointer = operands(32, result: variable.operands.first!, at: 0),
              // OpTypeStruct (30): result id, member types.
              let structure = operands(30, result: pointer.last!, at: 0) else { return nil }
        let structID = structure.first!
        let members = Array(structure.dropFirst())
        // OpMemberDecorate (72): struct id, member, decoration Offset (35), offset.
        var offsets = [Int](repeating: -1, count: members.count)
        for instruction in instructions where instruction.opcode == 72 {
            let o = Array(instruction.operands)
            if o[0] == structID && o[2] == 35 { offsets[Int(o[1])] = Int(o[3]) }
        }
        // A member's size: 32-bit scalars (OpTypeInt 21, OpTypeFloat 22), or OpTypeArray (28) of a constant length.
        func bytes(of type: UInt32) -> Int? {
            if let scalar = instructions.first(where: { ($0.opcode == 21 || $0.opcode == 22) && $0.operands.first == type }) {
                return Int(scalar.operands.dropFirst().first!) / 8
            }
            guard let array = operands(28, result: type, at: 0).map(Array.init),
                  let element = bytes(of: array[1]),
                  let length = instructions.first(where: { $0.opcode == 43 && $0.operands.dropFirst().first == array[2] })?.operands.last
            else { return nil }
            return element * Int(length)
        }
        guard let last = members.last, let lastSize = bytes(of: last), !offsets.contains(-1) else { return nil }
        self.offsets = offsets
        size = offsets.last! + lastSize
    }
}
