import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.0 server for previewing a built site: GET and HEAD of regular files under one folder, on
/// 127.0.0.1 only. Enough for a browser pointed at a static site; not a web server.
///
/// Each connection has its own thread, up to `maxConnections` at once, and `requestTimeout` to send its request
/// line and headers (at most `maxHeaderBytes`), so a client that connects and sends nothing, or trickles a byte at a
/// time, holds one thread for a few seconds and never the others.
struct StaticFileServer: Sendable {
    let root: URL
    let port: UInt16
    var requestTimeout: Duration = .seconds(5)
    var maxConnections = 32
    static let maxHeaderBytes = 16384
    /// A send that makes no progress for this long ends the connection (a client that stopped reading).
    static let sendTimeoutSeconds = 30

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "json": "application/json", "csv": "text/csv; charset=utf-8", "svg": "image/svg+xml", "png": "image/png",
        "txt": "text/plain; charset=utf-8", "md": "text/plain; charset=utf-8",
        // What a site's own pages/assets/ may add.
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "ico": "image/x-icon",
        "woff2": "font/woff2", "woff": "font/woff", "pdf": "application/pdf", "xml": "application/xml",
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

    static func boundAddress(_ fd: Int32) -> sockaddr_in {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return address
    }

    static func boundPort(_ fd: Int32) -> UInt16 {
        UInt16(bigEndian: boundAddress(fd).sin_port)
    }

    /// Serves until the process ends (or until `limit` connections are accepted, for tests; those still open
    /// are answered on their own threads).
    func serve(_ fd: Int32, limit: Int? = nil) {
        let slots = DispatchSemaphore(value: maxConnections)
        var accepted = 0
        while limit.map({ accepted < $0 }) ?? true {
            slots.wait()
            let client = accept(fd, nil, nil)
            if client < 0 {
                slots.signal()
                if errno == EINTR || errno == ECONNABORTED { continue } else { break }
            }
            accepted += 1
            let connection = Thread { [self] in
                handle(client)
                close(client)
                slots.signal()
            }
            connection.start()
        }
    }

    /// What came in before the blank line that ends a request's headers.
    enum RequestHead {
        case complete([UInt8])
        /// The client closed its side early; what it sent is answered as far as it goes.
        case ended([UInt8])
        case timedOut
        case tooLarge
    }

    /// Reads the request line and headers within `requestTimeout` in all, however slowly they arrive.
    func readHead(_ client: Int32) -> RequestHead {
        let clock = ContinuousClock()
        let deadline = clock.now + requestTimeout
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.containsHeaderEnd {
            guard request.count < Self.maxHeaderBytes else { return .tooLarge }
            let left = deadline - clock.now
            guard left > .zero else { return .timedOut }
            var waiting = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            let ready = poll(&waiting, 1, Int32(max(1, (left / .milliseconds(1)).rounded(.up))))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { return .timedOut }
            let n = ready < 0 ? -1 : recv(client, &buffer, min(buffer.count, Self.maxHeaderBytes - request.count), 0)
            if n <= 0 { return .ended(request) }
            request += buffer[0..<n]
        }
        return .complete(request)
    }

    private func handle(_ client: Int32) {
        var sendTimeout = timeval(tv_sec: Self.sendTimeoutSeconds, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        let request: [UInt8]
        switch readHead(client) {
        case .complete(let bytes), .ended(let bytes): request = bytes
        case .timedOut:
            respond(client, status: "408 Request Timeout", type: "text/plain", body: Data("request took too long\n".utf8), head: false)
            return discardUnreadRequest(client)
        case .tooLarge:
            respond(client, status: "431 Request Header Fields Too Large", type: "text/plain", body: Data("request headers too large\n".utf8), head: false)
            return discardUnreadRequest(client)
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

    /// Closing a socket with received bytes unread resets the connection, and the client may lose the answer
    /// just sent; so after refusing a request mid-way, say we are done and read what is still coming, for a second
    /// at most.
    private func discardUnreadRequest(_ client: Int32) {
        shutdown(client, Int32(SHUT_WR))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(1)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while clock.now < deadline {
            var waiting = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 100) >= 0 else { if errno == EINTR { continue } else { return } }
            if waiting.revents != 0, recv(client, &buffer, buffer.count, 0) <= 0 { return }
        }
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
