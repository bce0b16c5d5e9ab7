/// Buffer sizes as the notes and errors about backend limits print them.
enum BufferSize {
    /// Whole mebibytes, rounded up ("259 MiB"); Int.max (no limit) reads "any size".
    static func mebibytes(_ bytes: Int) -> String {
        bytes == Int.max ? "any size" : "\((bytes + (1 << 20) - 1) >> 20) MiB"
    }
}
