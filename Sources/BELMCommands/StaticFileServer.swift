import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.0 server for previewing a built site: GET and HEAD of files under one folder, on
/// 127.0.0.1 only, one connection at a time. Enough for a browser pointed at a static site; not a web server.
struct StaticFileServer {
    let root: URL
    let port: UInt16

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "json": "application/json", "csv": "text/csv; charset=utf-8", "svg": "image/svg+xml", "png": "image/png",
        "txt": "text/plain; charset=utf-8", "md": "text/plain; charset=utf-8",
    ]

    /// Binds the socket; returns its descriptor. Port 0 picks a free port (see `boundPort`).
    func listen() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot listen on 127.0.0.1:\(port) (\(reason)); pass another --port")
        }
        return fd
    }

    static func boundPort(_ fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Serves until the process ends (or `limit` requests, for tests).
    func serve(_ fd: Int32, limit: Int? = nil) {
        var served = 0
        while limit.map({ served < $0 }) ?? true {
            let client = accept(fd, nil, nil)
            if client < 0 { if errno == EINTR { continue } else { break } }
            handle(client)
            close(client)
            served += 1
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16384, !request.containsHeaderEnd {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { break }
            request += buffer[0..<n]
        }
        let line = String(decoding: request.prefix(while: { $0 != 13 && $0 != 10 }), as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET" || parts[0] == "HEAD" else {
            return respond(client, status: "405 Method Not Allowed", type: "text/plain", body: Data("only GET and HEAD\n".utf8), head: false)
        }
        let head = parts[0] == "HEAD"
        guard let url = resolve(String(parts[1])) else {
            return respond(client, status: "404 Not Found", type: "text/plain", body: Data("not found\n".utf8), head: head)
        }
        guard let body = FileManager.default.contents(atPath: url.path) else {
            return respond(client, status: "403 Forbidden", type: "text/plain", body: Data("cannot read\n".utf8), head: head)
        }
        let type = Self.contentTypes[url.pathExtension.lowercased()] ?? "application/octet-stream"
        respond(client, status: "200 OK", type: type, body: body, head: head)
    }

    /// The file a request path names, never outside `root`; a folder means its index.html.
    func resolve(_ target: String) -> URL? {
        let pathPart = String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        guard let decoded = pathPart.removingPercentEncoding else { return nil }
        let components = decoded.split(separator: "/").map(String.init)
        guard !components.contains(where: { $0 == ".." || $0.hasPrefix(".") }) else { return nil }
        var url = components.reduce(root) { $0.appendingPathComponent($1) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue {
            url = url.appendingPathComponent("index.html")
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        }
        return url
    }

    private func respond(_ client: Int32, status: String, type: String, body: Data, head: Bool) {
        let header = "HTTP/1.0 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
        var bytes = Data(header.utf8)
        if !head { bytes.append(body) }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return true }
        return false
    }
}
