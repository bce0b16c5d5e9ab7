import Foundation
import Testing
@testable import BELMCommands
#if canImport(Glibc)
import Glibc
#endif

@Suite struct StaticFileServerTests {
    /// One request over a real socket, the reply as text.
    func fetch(_ request: String, port: UInt16) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "connect failed" }
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var reply = [UInt8](), buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    @Test func servesFilesAndRefusesEverythingElse() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("assets"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("<h1>hello</h1>".utf8).write(to: root.appendingPathComponent("index.html"))
        try Data("body{}".utf8).write(to: root.appendingPathComponent("assets/site.css"))
        try Data("secret".utf8).write(to: root.appendingPathComponent(".belm-site"))
        let server = StaticFileServer(root: root, port: 0)
        let fd = try server.listen()
        let port = StaticFileServer.boundPort(fd)
        let thread = Thread { server.serve(fd, limit: 6) }
        thread.start()
        defer { close(fd) }

        let index = fetch("GET / HTTP/1.0\r\n\r\n", port: port)
        #expect(index.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(index.contains("Content-Type: text/html; charset=utf-8\r\n"))
        #expect(index.hasSuffix("\r\n\r\n<h1>hello</h1>"))
        let css = fetch("GET /assets/site.css?v=1 HTTP/1.1\r\nHost: x\r\n\r\n", port: port)
        #expect(css.contains("Content-Type: text/css") && css.hasSuffix("body{}"))
        #expect(fetch("GET /../../etc/passwd HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 404"))
        #expect(fetch("GET /%2e%2e/etc/passwd HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 404"))
        #expect(fetch("GET /.belm-site HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 404"))
        #expect(fetch("POST / HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 405"))
    }
}
