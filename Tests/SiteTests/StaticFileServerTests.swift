import Foundation
import Testing
@testable import BELMCommands
#if canImport(Glibc)
import Glibc
#endif

@Suite struct StaticFileServerTests {
    /// A site folder with index.html, assets/site.css and the `.belm-site` marker; remove it when done.
    func makeSite() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try Data("<h1>hello</h1>".utf8).write(to: root.appendingPathComponent("index.html"))
        try Data("body{}".utf8).write(to: root.appendingPathComponent("assets/site.css"))
        try Data("secret".utf8).write(to: root.appendingPathComponent(".belm-site"))
        return root
    }

    /// A client socket connected to the server, with a receive timeout so that a test fails rather than hangs.
    func connectClient(port: UInt16, timeoutSeconds: Int = 10) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 { close(fd); return -1 }
        return fd
    }

    /// One request over a real socket, the reply as text ("" when none came within the timeout).
    func fetch(_ request: String, port: UInt16, timeoutSeconds: Int = 10) -> String {
        let fd = connectClient(port: port, timeoutSeconds: timeoutSeconds)
        guard fd >= 0 else { return "connect failed" }
        defer { close(fd) }
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var reply = [UInt8](), buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    /// Starts `server` on a free port, answering `connections` connections on another thread.
    func start(_ server: StaticFileServer, connections: Int) throws -> (listener: Int32, port: UInt16) {
        let fd = try server.listen()
        Thread { server.serve(fd, limit: connections) }.start()
        return (fd, StaticFileServer.boundPort(fd))
    }

    @Test func servesFilesAndRefusesEverythingElse() throws {
        let root = try makeSite()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("<svg/>".utf8).write(to: root.appendingPathComponent("assets/plot.svg"))
        let (fd, port) = try start(StaticFileServer(root: root, port: 0), connections: 7)
        defer { close(fd) }
        // Reachable from this machine only.
        #expect(StaticFileServer.boundAddress(fd).sin_addr.s_addr == inet_addr("127.0.0.1"))

        let index = fetch("GET / HTTP/1.0\r\n\r\n", port: port)
        #expect(index.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(index.contains("Content-Type: text/html; charset=utf-8\r\n"))
        #expect(index.hasSuffix("\r\n\r\n<h1>hello</h1>"))
        let css = fetch("GET /assets/site.css?v=1 HTTP/1.1\r\nHost: x\r\n\r\n", port: port)
        #expect(css.contains("Content-Type: text/css") && css.hasSuffix("body{}"))
        #expect(fetch("GET /assets/plot.svg HTTP/1.0\r\n\r\n", port: port).contains("Content-Type: image/svg+xml\r\n"))
        #expect(fetch("GET /../../etc/passwd HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 404"))
        #expect(fetch("GET /%2e%2e/etc/passwd HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 404"))
        #expect(fetch("GET /.belm-site HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 404"))
        #expect(fetch("POST / HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 405"))
    }

    @Test func symlinksMayNotLeadOutOfTheSite() throws {
        let root = try makeSite()
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("belm-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: outside) }
        try Data("private".utf8).write(to: outside.appendingPathComponent("secret.txt"))
        try Data("<p>elsewhere</p>".utf8).write(to: outside.appendingPathComponent("index.html"))
        let links = FileManager.default
        try links.createSymbolicLink(atPath: root.appendingPathComponent("leak.txt").path, withDestinationPath: outside.appendingPathComponent("secret.txt").path)
        try links.createSymbolicLink(atPath: root.appendingPathComponent("elsewhere").path, withDestinationPath: outside.path)
        try links.createSymbolicLink(atPath: root.appendingPathComponent("up").path, withDestinationPath: "..")
        try links.createSymbolicLink(atPath: root.appendingPathComponent("style.css").path, withDestinationPath: "assets/site.css")
        try links.createSymbolicLink(atPath: root.appendingPathComponent("marker").path, withDestinationPath: ".belm-site")
        #expect(mkfifo(root.appendingPathComponent("pipe").path, 0o600) == 0)
        let server = StaticFileServer(root: root, port: 0)

        #expect(server.resolve("/leak.txt") == nil)
        #expect(server.resolve("/elsewhere/") == nil)
        #expect(server.resolve("/elsewhere/secret.txt") == nil)
        #expect(server.resolve("/up/\(outside.lastPathComponent)/secret.txt") == nil)
        #expect(server.resolve("/marker") == nil)
        #expect(server.resolve("/pipe") == nil)
        #expect(server.resolve("/index.html%00.png") == nil)
        // A link that stays inside the site is followed; a folder is its index.html.
        #expect(server.resolve("/style.css")?.lastPathComponent == "site.css")
        #expect(server.resolve("/")?.lastPathComponent == "index.html")
        #expect(server.resolve("/assets") == nil)

        let (fd, port) = try start(server, connections: 2)
        defer { close(fd) }
        #expect(fetch("GET /leak.txt HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.0 404"))
        #expect(fetch("GET /style.css HTTP/1.0\r\n\r\n", port: port).hasSuffix("body{}"))
    }

    @Test func anIdleClientDoesNotHoldUpTheNext() throws {
        let root = try makeSite()
        defer { try? FileManager.default.removeItem(at: root) }
        let (fd, port) = try start(StaticFileServer(root: root, port: 0), connections: 3)
        defer { close(fd) }
        let silent = connectClient(port: port)
        let halfway = connectClient(port: port)
        defer { close(silent); close(halfway) }
        _ = "GET /ind".withCString { send(halfway, $0, strlen($0), Int32(MSG_NOSIGNAL)) }

        let clock = ContinuousClock()
        let started = clock.now
        let reply = fetch("GET / HTTP/1.0\r\n\r\n", port: port, timeoutSeconds: 3)
        #expect(reply.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(clock.now - started < .seconds(1))
    }

    @Test func aTricklingClientIsCutOffAtTheRequestTimeout() throws {
        let root = try makeSite()
        defer { try? FileManager.default.removeItem(at: root) }
        var server = StaticFileServer(root: root, port: 0)
        server.requestTimeout = .milliseconds(500)
        let (fd, port) = try start(server, connections: 1)
        defer { close(fd) }
        let client = connectClient(port: port)
        defer { close(client) }

        // A byte every 100 ms, never the blank line that ends the headers: the server ends it after 500 ms in all.
        let clock = ContinuousClock()
        let started = clock.now
        var cutOff = false
        for byte in Array("GET / HTTP/1.0\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 50) {
            var waiting = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            if poll(&waiting, 1, 0) > 0 { cutOff = true; break }
            var one = byte
            if send(client, &one, 1, Int32(MSG_NOSIGNAL)) != 1 { cutOff = true; break }
            usleep(100_000)
        }
        #expect(cutOff)
        #expect(clock.now - started < .seconds(2))
    }

    @Test func oversizedHeadersAreRefused() throws {
        let root = try makeSite()
        defer { try? FileManager.default.removeItem(at: root) }
        let (fd, port) = try start(StaticFileServer(root: root, port: 0), connections: 1)
        defer { close(fd) }
        let headers = (0..<400).map { "X-Filler-\($0): \(String(repeating: "a", count: 40))\r\n" }.joined()
        #expect(fetch("GET / HTTP/1.0\r\n" + headers + "\r\n", port: port).hasPrefix("HTTP/1.0 431"))
    }
}
