import Compute
import Experiments
import FID
import Foundation

/// One side of an FID comparison: a statistics file (`.npz` with mu and sigma) or a folder of images.
enum FIDInput {
    case statistics(URL)
    case images(URL)

    init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FIDError("\(path): no such file or folder; give a folder of images or an .npz statistics file (mu, sigma)")
        }
        self = isDirectory.boolValue ? .images(url) : .statistics(url)
    }

    var url: URL {
        switch self {
        case .statistics(let url), .images(let url): return url
        }
    }
}

/// The FID Inception network a command needs for image folders, loaded the first time it is asked for.
final class LazyInception {
    let weights: URL?
    let backendOptions: BackendOptions
    let batchSize: Int
    private var loaded: ImageFolderStatistics?

    init(weights: String?, backendOptions: BackendOptions, batchSize: Int) {
        self.weights = weights.map { URL(fileURLWithPath: $0) }
        self.backendOptions = backendOptions
        self.batchSize = batchSize
    }

    /// SHA-256 of the weights file, recorded beside every FID computed from images.
    lazy var digest: String? = weights.flatMap { try? FileDigests().sha256(of: $0) }

    func statistics(ofFolder folder: URL) throws -> (FIDStatistics, count: Int) {
        let moments = try network(for: folder).moments(ofFolder: folder)
        return (try moments.statistics(), moments.count)
    }

    /// The statistics and the features themselves (for KID), row-major [count, 2048].
    func statisticsAndFeatures(ofFolder folder: URL) throws -> (FIDStatistics, features: [Float], count: Int) {
        let (moments, features) = try network(for: folder).momentsAndFeatures(ofFolder: folder)
        return (try moments.statistics(), features, moments.count)
    }

    private func network(for folder: URL) throws -> ImageFolderStatistics {
        // A folder that cannot give statistics is refused before the weights are read.
        _ = try ImageFolderStatistics.checkedImageFiles(in: folder)
        if let loaded { return loaded }
        guard let weights else {
            throw FIDError("\(folder.path) is a folder of images: its statistics need the FID Inception weights, --inception W.safetensors. Convert pytorch-fid's weights once with:\n  \(InceptionCheckpoint.conversion)")
        }
        let network = try FIDInception(contentsOf: weights, backend: try backendOptions.makeBackend())
        let statistics = ImageFolderStatistics(network: network, batchSize: batchSize)
        loaded = statistics
        return statistics
    }
}
