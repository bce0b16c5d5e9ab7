import Compute
import FID
import Foundation
import Models

/// The site's runner for every model `ExperimentModel.load` takes (the reference model `builtin:shapes` /
/// `gmm:DIR`, `builtin:shapes-unet`, a diffusers folder) and every kind of experiment. It only wires the
/// seams together: `WorkItems` splits a request into cell items, `ExperimentSweep` runs them on a model loaded
/// once, and `CellAssembly` (sampling, reconstruction: from per-item sums) or `MeasuredAssembly`
/// (interpolation, editing, convergence: count-weighted means over seeds) assembles the result.
///
/// Reconstructions, interpolations and edits start from the model's own image set (the reference model's, or
/// the set `builtin:shapes-unet` was trained on), else from the experiment's `images:` folder.
public struct ModelExperimentRunner: ExperimentRunner {
    /// Bump whenever a change here or in the samplers, models or metrics can change a number or an image.
    public var codeVersion = "belm-experiments-5"
    public var supportedKinds: Set<ExperimentKind> = Set(ExperimentKind.allCases)
    public var batchSize: Int
    public var locator: BuiltinModelLocator

    public init(batchSize: Int = 8, locator: BuiltinModelLocator = .standard) {
        self.batchSize = batchSize
        self.locator = locator
    }

    /// `builtin:shapes` names itself (its images are drawn by code under `codeVersion`); a builtin diffusers
    /// model, a `gmm:` folder or a diffusers folder is the digest of its files.
    public func modelDigest(_ model: String, digests: FileDigests) throws -> String {
        let reference = try ModelReference(parsing: model)
        switch reference {
        case .builtinShapes:
            return model
        case .builtinDiffusers(let name):
            return try ModelDigest.folder(try locator.folder(named: name).path, digests: digests)
        case .mixture(let folder), .diffusers(let folder):
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw ExperimentError("model folder \(folder) does not exist")
            }
            return try ModelDigest.folder(folder, digests: digests)
        }
    }

    /// Every kind splits into cell items (see `WorkItems`).
    public func workItems(for request: ExperimentRequest) -> [WorkItem] { WorkItems.plan(request, count: Self.imageCount(request)) }

    /// The images a reconstruction inverts: `count`, or all of its `images:` folder when that holds fewer.
    /// A folder that cannot be listed counts as `count` here; running the items then says what is wrong.
    static func imageCount(_ request: ExperimentRequest) -> Int {
        guard request.kind == .reconstruction, let folder = request.images, let files = try? InputImages.files([folder]) else { return request.count }
        return min(request.count, files.count)
    }

    /// Loads the model once, then runs the items in the order given.
    public func runItems(_ items: [WorkItem], of request: ExperimentRequest, backend: any Backend,
                         progress: @escaping @Sendable (ExperimentProgress) -> Void,
                         completed: (WorkItem, ItemResult) throws -> Void) throws {
        guard !items.isEmpty else { return }
        try ExperimentSweep(request: request, batchSize: batchSize, locator: locator, backend: backend)
            .run(items, progress: progress, completed: completed)
    }

    public func assemble(_ request: ExperimentRequest, items: [(WorkItem, ItemResult)]) throws -> ExperimentResult {
        try assemble(request, items: items, fidReference: nil, features: nil)
    }

    /// `fidReference` is required when the request has `fid:` (see `FIDReference`); `features`, when the
    /// results were passed without their features (see `ItemFeatureReader`).
    public func assemble(_ request: ExperimentRequest, items: [(WorkItem, ItemResult)], fidReference: FIDStatistics?,
                         features: ItemFeatureReader?) throws -> ExperimentResult {
        if WorkItems.splitsByIndex(request.kind) {
            return try CellAssembly.result(request, count: Self.imageCount(request), fidReference: fidReference, features: features, items: items.map { item, result in
                guard case .cell(let cell) = result else { throw ExperimentError("experiment '\(request.name)': \(item.label) holds no sample sums") }
                return (item, cell)
            })
        }
        return try MeasuredAssembly.result(request, items: items.map { item, result in
            guard case .measured(let cell) = result else { throw ExperimentError("experiment '\(request.name)': \(item.label) holds no measured cell") }
            return (item, cell)
        })
    }

    /// The whole experiment in this process: its items one after the other, then assembled.
    public func run(_ request: ExperimentRequest, backend: any Backend,
                    progress: @escaping @Sendable (ExperimentProgress) -> Void) throws -> ExperimentResult {
        var results: [(WorkItem, ItemResult)] = []
        try runItems(workItems(for: request), of: request, backend: backend, progress: progress) { results.append(($0, $1)) }
        let reference = try request.fid.map { try FIDReference.statistics($0, backend: backend) }
        return try assemble(request, items: results, fidReference: reference, features: nil)
    }
}
