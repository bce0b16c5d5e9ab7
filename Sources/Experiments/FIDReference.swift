import Compute
import FID
import Foundation

/// The statistics a `fid:` setting compares every cell against: read from its `.npz`, or computed from its
/// folder of images with the FID Inception network on `backend`.
public enum FIDReference {
    public static func statistics(_ setting: FIDSetting, backend: any Backend) throws -> FIDStatistics {
        do {
            let url = URL(fileURLWithPath: setting.reference)
            if setting.referenceIsStatistics { return try FIDStatistics(contentsOf: url) }
            let network = try FIDInception(contentsOf: URL(fileURLWithPath: setting.inception), backend: backend)
            return try ImageFolderStatistics(network: network).statistics(ofFolder: url)
        } catch let error as FIDError {
            throw ExperimentError("`fid: reference:` \(setting.reference): \(error.description)")
        }
    }
}
