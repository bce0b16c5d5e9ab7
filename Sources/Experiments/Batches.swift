/// Splits `count` items into consecutive ranges of at most `size`.
public enum Batches {
    public static func ranges(count: Int, size: Int) -> [Range<Int>] {
        precondition(size >= 1, "batch size must be positive")
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }
}
