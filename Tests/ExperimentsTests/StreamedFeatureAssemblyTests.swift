import FID
import Foundation
import Models
import Testing
@testable import Experiments

/// Assembly can read each item's Inception features when it comes to the item instead of holding them all:
/// the site's plan keeps none (a 50,000-sample cell's are 400 MB) and reads them back one entry at a time.
@Suite struct StreamedFeatureAssemblyTests {
    static let request = ExperimentRequest(name: "sampling", kind: .sampling, model: "builtin:shapes", samplers: [.ddim], steps: [2],
                                           seeds: [3, 1], count: 130,
                                           fid: FIDSetting(inception: "/weights.safetensors", reference: "/reference.npz"))

    /// Every item of the request with features drawn from a seeded generator, different per item.
    static func items() -> [(WorkItem, CellItem, CellItemResult)] {
        var generator = SplitMix64(seed: 11)
        let width = FIDInception.featureWidth
        return WorkItems.plan(request).map { item in
            guard case .cell(let cell) = item.scope else { preconditionFailure("sampling plans cell items") }
            let values = (0..<(cell.count * width)).map { _ in Float(generator.next() >> 40) * 0x1p-24 }
            let result = CellItemResult(statistics: CellStatistics(), gallery: [],
                                        features: ItemFeatures(rows: cell.count, width: width, values: values))
            return (item, cell, result)
        }
    }

    static let reference = FIDStatistics(mu: [Double](repeating: 0.5, count: FIDInception.featureWidth),
                                         sigma: (0..<(FIDInception.featureWidth * FIDInception.featureWidth)).map { $0 % (FIDInception.featureWidth + 1) == 0 ? 0.1 : 0 })

    /// The moments compared rather than the FID they give: the distance is a function of them alone, and two
    /// eigendecompositions at 2048² a run are slow in a debug build.
    @Test func featuresReadItemByItemGiveTheSameBitsInItemOrder() throws {
        let items = Self.items()
        let ordered = items.map { ($0.1, $0.2) }
        let held = try CellAssembly.featureMoments(ordered, request: Self.request, features: nil)
        let stored = Dictionary(uniqueKeysWithValues: items.map { ($0.1, $0.2.features) })
        var read: [CellItem] = []
        let streamed = try CellAssembly.featureMoments(ordered.map { cell, result in
            var slim = result
            slim.features = nil
            return (cell, slim)
        }, request: Self.request, features: { cell in
            read.append(cell)
            return stored[cell] ?? nil
        })
        #expect(held.count == 260)
        #expect(held == streamed)
        #expect(read == items.map(\.1))
    }

    /// The runner hands its reader to the assembly: a reader that finds no features is what the error names,
    /// although every result holds some.
    @Test func anItemWithoutFeaturesIsNamed() throws {
        let items = Self.items()
        #expect {
            try ModelExperimentRunner().assemble(Self.request, items: items.map { ($0.0, .cell($0.2)) }, fidReference: Self.reference,
                                                 features: { _ in nil })
        } throws: { error in
            "\(error)".contains("has no Inception features") && "\(error)".contains("rebuild without --cached-only")
        }
    }
}
