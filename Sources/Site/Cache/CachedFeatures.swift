import Experiments

extension ResultCache {
    /// Reads each cell item's Inception features back from its cache entry when assembly comes to it (a
    /// plan keeps none, see `Lookup.withoutPerSampleData`): `items` names the entry of every cell item.
    func featureReader(_ items: [PlannedItem]) -> ItemFeatureReader {
        var keys: [CellItem: String] = [:]
        for planned in items { if case .cell(let cell) = planned.item.scope { keys[cell] = planned.key } }
        return { cell in
            guard let key = keys[cell] else { throw ExperimentError("no cache entry was planned for \(cell.label)") }
            guard case .found(let entry) = load(key), case .cell(let result) = entry.result else {
                throw ExperimentError("the cache entry \(url(key).path) of \(cell.label) changed or went missing while the site was assembled; build again")
            }
            return result.features
        }
    }
}
