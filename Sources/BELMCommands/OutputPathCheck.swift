import ArgumentParser
import Foundation

extension ExperimentOutput {
    /// Checks, before any work, that the output folder and each file can be made where they are asked for,
    /// so that a run that takes minutes does not end in an error about its output path. `option` names the
    /// flag in the message.
    static func checkWritable(_ path: String?, as kind: OutputKind, option: String) throws {
        guard let path else { return }
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) {
            switch (kind, isFolder.boolValue) {
            case (.folder, false): throw ValidationError("\(option) \(path) is a file; give a folder (it is created if missing)")
            case (.file, true): throw ValidationError("\(option) \(path) is a folder; give a file name, e.g. \(url.appendingPathComponent("samples.safetensors").path)")
            case (.folder, true): try requireWritableFolder(url, option: option, asked: path)
            case (.file, false): try requireWritableFolder(url.deletingLastPathComponent(), option: option, asked: path)
            }
            return
        }
        // The nearest folder that exists is where the missing ones would be made.
        var ancestor = kind == .folder ? url : url.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder) { ancestor.deleteLastPathComponent() }
        guard isFolder.boolValue else {
            throw ValidationError("\(option) \(path): \(ancestor.path) is a file, so no folder can be made there; choose another path")
        }
        try requireWritableFolder(ancestor, option: option, asked: path)
    }

    enum OutputKind { case folder, file }

    private static func requireWritableFolder(_ folder: URL, option: String, asked path: String) throws {
        guard access(folder.path, W_OK) == 0 else {
            throw ValidationError("\(option) \(path): the folder \(folder.path) is not writable; choose another path")
        }
    }
}
