import Foundation

/// The belm executable run as a user runs it, for what must be checked from outside the test's own process:
/// that it exits with a message instead of trapping, what it prints, and what it leaves in its working folder.
public struct BELMProcess {
    public var status: Int32
    /// Ended by a signal: a trap, a crash, or the timeout's kill.
    public var trapped: Bool
    public var output: String
    /// Standard error as bytes (to look for raw control characters) and as text.
    public var errorBytes: Data
    public var errors: String { String(decoding: errorBytes, as: UTF8.self) }

    /// Failed the way a user can act on: an exit status in 1…125, not a signal.
    public var refused: Bool { !trapped && (1...125).contains(status) }

    /// The executable built beside the test bundle, or in the checkout's `.build/debug`.
    public static var executable: URL? {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()].map { $0.appendingPathComponent("belm") }
            + [repository.appendingPathComponent(".build/debug/belm")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    public struct NotBuilt: Error, CustomStringConvertible {
        public var description: String { "the belm executable was not found: build it first (swift build)" }
    }

    /// Runs `belm arguments` in `folder` (the test's working folder when nil) and waits for it; killed after
    /// `timeout` seconds, so that a run that allocates its way into swap cannot stall the suite. `environment`
    /// adds to (or replaces entries of) the test process's environment.
    public static func run(_ arguments: [String], in folder: URL? = nil, timeout: TimeInterval = 120,
                           environment: [String: String] = [:]) throws -> BELMProcess {
        guard let belm = executable else { throw NotBuilt() }
        let process = Process()
        process.executableURL = belm
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let folder { process.currentDirectoryURL = folder }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        // Both pipes are drained before waiting, so that a full pipe cannot stall the child.
        let errorData = Locked(Data())
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) { errorData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        deadline.cancel()
        return BELMProcess(status: process.terminationStatus, trapped: process.terminationReason == .uncaughtSignal,
                           output: String(decoding: outData, as: UTF8.self), errorBytes: errorData.value)
    }
}

/// A value one other thread writes and the caller reads after waiting for it.
private final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    func set(_ value: Value) { lock.lock(); stored = value; lock.unlock() }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
}
