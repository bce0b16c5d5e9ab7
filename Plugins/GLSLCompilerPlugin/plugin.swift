import Foundation
import PackagePlugin

/// Compiles every `Shaders/*.comp` of a target to SPIR-V with glslc at build time and wraps the binary in a
/// generated Swift file (`extension SPIRV { static let <name> = "<base64>" }`), so shaders ship inside the
/// library with no resource bundle and no runtime compiler. A glslc error fails the build.
///
/// glslc is looked up on PATH through `/bin/sh`: this SwiftPM refuses `context.tool(named: "glslc")` for tools
/// that are not package products.
@main
struct GLSLCompilerPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let shaders = target.sourceFiles(withSuffix: "comp").map(\.url).sorted { $0.path < $1.path }
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "GeneratedShaders")
        return shaders.map { shader in
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
                inputFiles: [shader],
                outputFiles: [output]
            )
        }
    }
}
