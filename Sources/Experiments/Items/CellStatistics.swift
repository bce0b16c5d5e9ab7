/// What an item measured, kept as sums so that items merge exactly and in any grouping: a cell's metric is
/// computed once, at assembly, from the sums of all its items added in item order. Every statistic is a
/// typed value with its own merge. FID's feature moments are summed at assembly from each item's features
/// (`ItemFeatures`, kept beside these sums), in the same item order.
public protocol MergeableStatistic: Sendable, Codable, Hashable {
    /// Adds `other`'s items to these; throws when the two cannot describe the same quantity.
    mutating func merge(_ other: Self) throws
}

/// The sum of a per-sample value over `n` samples; the cell's value is their mean.
public struct MeanSum: MergeableStatistic {
    public var n: Int
    public var sum: Double

    public init(n: Int, sum: Double) {
        self.n = n
        self.sum = sum
    }

    /// The sum of a value measured as a mean over `n` samples.
    public init(mean: Double, n: Int) {
        self.init(n: n, sum: mean * Double(n))
    }

    public mutating func merge(_ other: MeanSum) throws {
        n += other.n
        sum += other.sum
    }

    public var mean: Double { sum / Double(n) }
}

/// The statistics of one item of one cell, by metric name (`mse`, `psnr`, `ssim`, `nfe`, …).
public struct CellStatistics: MergeableStatistic {
    public var means: [String: MeanSum]

    public init(means: [String: MeanSum] = [:]) {
        self.means = means
    }

    public mutating func merge(_ other: CellStatistics) throws {
        for (metric, sum) in other.means {
            if var mine = means[metric] {
                try mine.merge(sum)
                means[metric] = mine
            } else {
                means[metric] = sum
            }
        }
    }
}
