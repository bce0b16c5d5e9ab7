/// SplitMix64 (Steele, Lea & Flood 2014; the seeding generator of java.util.SplittableRandom): a 64-bit state
/// advanced by the golden-ratio increment and finalised by two xor-shift-multiply rounds. It is used instead of
/// Foundation's randomness so that the procedural image set has the same bytes on every machine and every
/// Swift version: the whole generator is integer arithmetic, and `nextUnit()` takes the top 53 bits exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1), exactly representable (k · 2⁻⁵³).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform double in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * nextUnit() }
}
