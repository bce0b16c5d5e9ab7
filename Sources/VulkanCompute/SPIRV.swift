import Foundation

/// The compute shaders, compiled from `Shaders/*.comp` at build time by GLSLCompilerPlugin; each generated file
/// adds one `static let <shader name>` holding the SPIR-V binary in base64.
enum SPIRV {
    /// The SPIR-V words of a shader, as `vkCreateShaderModule` takes them.
    static func words(_ base64: String, name: String) -> [UInt32] {
        guard let data = Data(base64Encoded: base64), data.count % 4 == 0, data.count > 0 else {
            preconditionFailure("embedded SPIR-V of \(name) is corrupt; rebuild the package")
        }
        return data.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
    }
}
