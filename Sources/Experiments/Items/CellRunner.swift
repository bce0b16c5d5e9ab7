/// Computes one cell item of one kind of experiment on a model loaded once: what `ExperimentSweep` drives.
protocol CellRunner {
    /// `progress` hears the item's chains advance.
    func run(_ cell: CellItem, progress: ((ExperimentStep) -> Void)?) throws -> ItemResult
}
