import Experiments
import Foundation

/// What a build reports as it goes.
public enum BuildEvent: Sendable {
    /// Experiment `index` of `total` starts; `cached` when its results come from the cache.
    case experiment(name: String, index: Int, total: Int, cached: Bool)
    case progress(ExperimentProgress)
    case experimentDone(name: String, seconds: Double)
    case writing(files: Int)
    case done(path: String, ran: Int, cached: Int, seconds: Double)
    /// A cache entry that failed its check; its item is recomputed (or, with --cached-only, listed as missing).
    case damagedEntry(path: String, reason: String)
    /// A shard's share: `items` of the plan's `total`, of which `stale` are computed now.
    case shard(shard: Shard, items: Int, stale: Int, total: Int)
    case shardDone(items: Int, seconds: Double)
}

/// Progress on the terminal: which experiment, where it is, how long is left. On a terminal the step line
/// is redrawn in place; into a pipe or file a line is written at most every few seconds. Names from the config
/// and paths are printed with their control characters written out; the only escape sequence sent is the redraw.
public final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal: Bool
    private var started = Date()
    private var lastDraw = Date.distantPast
    private var drewInPlace = false
    private let write: @Sendable (String) -> Void

    public init(isTerminal: Bool = isatty(STDERR_FILENO) != 0,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.isTerminal = isTerminal
        self.write = write
    }

    public func handle(_ event: BuildEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case let .experiment(name, index, total, cached):
            endLine()
            started = Date()
            write("[\(index)/\(total)] \(name.escapingControlCharacters): \(cached ? "up to date (cached)" : "running")\n")
        case let .progress(p):
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= (isTerminal ? 0.2 : 5) || p.done == p.total else { return }
            lastDraw = now
            let elapsed = now.timeIntervalSince(started)
            var line = "      \(p.stage.escapingControlCharacters)  \(p.done)/\(p.total)"
            if p.total > 0 { line += String(format: "  %3.0f%%", 100 * Double(p.done) / Double(p.total)) }
            // The time left once there is enough behind to estimate it from.
            if p.done < p.total && Double(p.done) >= 0.02 * Double(p.total) && elapsed >= 1 {
                line += "  " + Self.duration(elapsed / Double(p.done) * Double(p.total - p.done)) + " left"
            }
            if isTerminal {
                write("\r\u{1B}[2K" + line)
                drewInPlace = true
            } else {
                write(line + "\n")
            }
        case let .experimentDone(name, seconds):
            endLine()
            write("      \(name.escapingControlCharacters) done in \(Self.duration(seconds))\n")
        case let .writing(files):
            endLine()
            write("writing \(files) files\n")
        case let .damagedEntry(path, reason):
            endLine()
            write("warning: cache entry \(path.escapingControlCharacters) \(reason.escapingControlCharacters); it is recomputed\n")
        case let .shard(shard, items, stale, total):
            endLine()
            write("shard \(shard): \(items) of the \(total) work items, \(stale) of them to compute\n")
        case let .shardDone(items, seconds):
            endLine()
            write("shard done in \(Self.duration(seconds)): \(items) item\(items == 1 ? "" : "s") computed into the cache; no site written (assemble with belm build --cached-only)\n")
        case let .done(path, ran, cached, seconds):
            endLine()
            write("built \(path.escapingControlCharacters) in \(Self.duration(seconds)) (\(ran) experiment\(ran == 1 ? "" : "s") run, \(cached) from cache)\n")
        }
    }

    private func endLine() {
        if drewInPlace { write("\n") }
        drewInPlace = false
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return whole < 3600 ? "\(whole / 60) min \(whole % 60) s" : "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
