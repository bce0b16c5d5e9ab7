import Foundation

/// Buffer sizes as the notes and errors about backend limits print them.
enum BufferSize {
    /// Whole mebibytes, rounded up ("259 MiB"); Int.max (no limit) reads "any size".
    static func mebibytes(_ bytes: Int) -> String {
        bytes == Int.max ? "any size" : "\((bytes + (1 << 20) - 1) >> 20) MiB"
    }

    /// This machine's physical memory. A buffer larger than this cannot be allocated on any backend that
    /// computes in host memory, and the CPU backend, which binds "any size", would otherwise abort in malloc.
    static var hostMemoryBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }
}
