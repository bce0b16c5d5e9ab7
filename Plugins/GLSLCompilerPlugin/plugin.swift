import Foundation
import PackagePlugin

/// Compiles every `Shaders/*.comp` of a target to SPIR-V with glslc at build time and wraps the binary in a
/// generated Swift file (`extension SPIRV { static let <name> = "<base64>" }`), so shaders ship inside the
/// library with no resource bundle and no runtime compiler. A glslc error fails the build.
///
/// It also generates the kernel list from the same files (`KernelList`): the `Kernel` enum, one case per shader,
/// and one push-constant struct per shader, field for field from its `layout(push_constant) uniform Params` block.
/// Adding a kernel is adding its `.comp` file.
///
/// glslc is looked up on PATH through `/bin/sh`: this SwiftPM refuses `context.tool(named: "glslc")` for tools
/// that are not package products.
@main
struct GLSLCompilerPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let shaders = target.sourceFiles(withSuffix: "comp").map(\.url).sorted { $0.path < $1.path }
        // `Shaders/*.glsl` are included by shaders (`#include "x.glsl"`, resolved beside the including file): inputs
        // of every shader's command, so that editing one recompiles the shaders.
        let includes = target.sourceFiles(withSuffix: "glsl").map(\.url).sorted { $0.path < $1.path }
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "GeneratedShaders")
        var commands: [Command] = shaders.map { shader in
            let name = shader.deletingPathExtension().lastPathComponent
            let output = outputDirectory.appending(path: "SPIRV+\(name).swift")
            let spirv = outputDirectory.appending(path: "\(name).spv")
            // `set -e` so that a glslc failure (any error in the shader) fails the build step.
            let script = """
                set -e
                mkdir -p '\(outputDirectory.path)'
                glslc --target-env=vulkan1.1 -O -fshader-stage=compute -Werror -o '\(spirv.path)' '\(shader.path)'
                { printf '// Generated from %s by GLSLCompilerPlugin; do not edit.\\n' '\(name).comp'
                  printf 'extension SPIRV {\\n    static let \(name) = "'
                  base64 -w0 '\(spirv.path)'
                  printf '"\\n}\\n'; } > '\(output.path).tmp'
                mv '\(output.path).tmp' '\(output.path)'
                """
            return .buildCommand(
                displayName: "glslc \(name).comp",
                executable: URL(filePath: "/bin/sh"),
                arguments: ["-c", script],
                inputFiles: [shader] + includes,
                outputFiles: [output]
            )
        }
        guard !shaders.isEmpty else { return commands }
        // The list is made here, where the plugin reads the shaders; the command only writes it (as base64, so no
        // character of it needs quoting), and reruns whenever a shader, hence the text, changes.
        let kernels = try shaders.map { try KernelList.Shader(url: $0) }
        let source = KernelList.swiftSource(kernels)
        let output = outputDirectory.appending(path: "Kernel+Shaders.swift")
        let script = """
            set -e
            mkdir -p '\(outputDirectory.path)'
            printf '%s' '\(Data(source.utf8).base64EncodedString())' | base64 -d > '\(output.path).tmp'
            mv '\(output.path).tmp' '\(output.path)'
            """
        commands.append(.buildCommand(
            displayName: "kernel list of \(target.name) (\(shaders.count) shaders)",
            executable: URL(filePath: "/bin/sh"),
            arguments: ["-c", script],
            inputFiles: shaders,
            outputFiles: [output]
        ))
        return commands
    }
}

/// The Swift source of the kernel list: what each shader is called and what its push constants are.
enum KernelList {
    struct Field {
        let name: String
        /// "uint", "int" or "float".
        let type: String
        /// Elements for an array field (`uint dims[6]`), nil for a scalar.
        let count: Int?
    }

    struct Shader {
        /// The file name without `.comp` (snake_case), e.g. `gemm_texel`.
        let file: String
        let fields: [Field]

        init(url: URL) throws {
            file = url.deletingPathExtension().lastPathComponent
            fields = try KernelList.pushConstantFields(String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent)
        }

        /// `gemm_texel` → `gemmTexel`.
        var caseName: String {
            let words = file.split(separator: "_")
            return words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
        }

        /// `gemm_texel` → `GemmTexelParams`.
        var structName: String { caseName.prefix(1).uppercased() + caseName.dropFirst() + "Params" }
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// The members of the shader's `layout(push_constant) uniform Params { ... }` block, in order (none without one).
    static func pushConstantFields(_ text: String, file: String) throws -> [Field] {
        guard let marker = text.range(of: "layout(push_constant)") else { return [] }
        guard let open = text[marker.upperBound...].firstIndex(of: "{"),
              let close = text[open...].firstIndex(of: "}") else {
            throw ParseError(description: "\(file): the push_constant block has no { ... } body")
        }
        let scalarTypes = ["uint", "int", "float"]
        return try text[text.index(after: open)..<close].split(separator: ";").compactMap { member in
            let words = member.split(whereSeparator: \.isWhitespace)
            if words.isEmpty { return nil }
            guard words.count == 2, scalarTypes.contains(String(words[0])), !words[1].contains(",") else {
                throw ParseError(description: "\(file): push constant member '\(member.trimmingCharacters(in: .whitespacesAndNewlines))' "
                    + "is not 'uint|int|float name' or 'uint|int|float name[N]', one per declaration; the kernel list supports only those")
            }
            let declarator = String(words[1])
            guard let bracket = declarator.firstIndex(of: "[") else { return Field(name: declarator, type: String(words[0]), count: nil) }
            guard declarator.hasSuffix("]"), let count = Int(declarator[declarator.index(after: bracket)..<declarator.index(before: declarator.endIndex)]),
                  count > 0 else {
                throw ParseError(description: "\(file): push constant array '\(declarator)' needs a literal positive length")
            }
            return Field(name: String(declarator[..<bracket]), type: String(words[0]), count: count)
        }
    }

    static func swiftType(_ field: Field) -> String {
        let scalar = ["uint": "UInt32", "int": "Int32", "float": "Float"][field.type]!
        guard let count = field.count else { return scalar }
        return "(" + [String](repeating: scalar, count: count).joined(separator: ", ") + ")"
    }

    static func swiftSource(_ shaders: [Shader]) -> String {
        var lines = [
            "// Generated from Shaders/*.comp by GLSLCompilerPlugin; do not edit.",
            "",
            "/// Every compute shader of the target, one case per `Shaders/<name>.comp`.",
            "enum Kernel: String, CaseIterable {",
        ]
        lines += shaders.map { "    case \($0.caseName)" }
        lines += ["", "    /// The shader's file in `Shaders/`.", "    var shaderFile: String {", "        switch self {"]
        lines += shaders.map { "        case .\($0.caseName): return \"\($0.file).comp\"" }
        lines += ["        }", "    }", "", "    /// The SPIR-V binary, base64.", "    var spirv: String {", "        switch self {"]
        lines += shaders.map { "        case .\($0.caseName): return SPIRV.\($0.file)" }
        lines += ["        }", "    }", "", "    /// The type of the shader's push constants.", "    var pushConstants: any PushConstants.Type {",
                  "        switch self {"]
        lines += shaders.map { "        case .\($0.caseName): return \($0.structName).self" }
        lines += ["        }", "    }", "}"]
        for shader in shaders {
            lines += ["", "/// The push constants of `\(shader.file).comp`: its `Params` block, member for member.",
                      "struct \(shader.structName): PushConstants {",
                      "    static let kernel = Kernel.\(shader.caseName)"]
            lines += shader.fields.map { "    var \($0.name): \(swiftType($0))" }
            lines += ["    static let fieldOffsets: [(name: String, offset: Int)] = ["]
            lines += shader.fields.map { "        (\"\($0.name)\", MemoryLayout<Self>.offset(of: \\Self.\($0.name))!)," }
            lines += ["    ]", "}"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
