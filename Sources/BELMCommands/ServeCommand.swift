import ArgumentParser
import Experiments
import Foundation

/// `belm serve`: preview a built site on localhost.
public struct ServeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a built site on http://127.0.0.1 for preview (the site also works straight from file://).")

    @Option(help: "The built site's folder.")
    public var site: String = "_site"

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    public var port: UInt16 = 8000

    public init() {}

    public func run() throws {
        let root = URL(fileURLWithPath: site).standardizedFileURL
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("index.html").path) else {
            throw ValidationError("\(site) has no index.html; build the site first with `belm build --out \(site)`")
        }
        let server = StaticFileServer(root: root, port: port)
        let fd = try server.listen()
        FileHandle.standardOutput.write(Data("serving \(root.path.escapingControlCharacters) at http://127.0.0.1:\(StaticFileServer.boundPort(fd))/ (Ctrl-C stops)\n".utf8))
        server.serve(fd)
    }
}
