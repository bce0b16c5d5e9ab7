import Experiments
import FID
import Foundation

/// The FID protocol written on the page of an experiment with `fid:`: what a published FID must state to be
/// compared (clean-fid's list): the sample count, the reference set and its hash, the resize, the network's
/// weights, the precision and the devices.
enum FIDProtocolNote {
    /// The files were read when the items were planned and assembled; one that has gone since is named as such.
    static func text(_ request: ExperimentRequest, setting: FIDSetting, devices: [String], digests: FileDigests) -> String {
        let samples = request.count * request.seeds.count
        let seeds = request.seeds.count == 1 ? "seed \(request.seeds[0])" : "\(request.count) from each of the seeds \(request.seeds.map(String.init).joined(separator: ", "))"
        let referenceURL = URL(fileURLWithPath: setting.reference)
        let unreadable = "unreadable now"
        let reference: String
        if setting.referenceIsStatistics {
            reference = "the statistics file \(referenceURL.lastPathComponent) (SHA-256 \((try? digests.sha256(of: referenceURL)) ?? unreadable))"
        } else {
            let count = (try? ImageFolderStatistics.imageFiles(in: referenceURL).count) ?? 0
            let digest = (try? ModelDigest.fidReference(setting, digests: digests)) ?? unreadable
            reference = "the \(count) images of \(referenceURL.lastPathComponent)/ (digest \(digest) over their names, sizes and SHA-256s)"
        }
        let weights = (try? digests.sha256(of: URL(fileURLWithPath: setting.inception))) ?? unreadable
        return "FID protocol: \(samples) samples per cell (\(seeds)), "
            + "saved at 8 bits per channel, resized to \(FIDInception.inputSize)×\(FIDInception.inputSize) bilinearly as pytorch-fid does "
            + "(F.interpolate, align_corners=False), through pytorch-fid's Inception (weights SHA-256 \(weights)) to its "
            + "\(FIDInception.featureWidth)-d pool3 features in float32; reference: \(reference); mean and covariance summed "
            + "and the Fréchet distance computed in float64. Computed on \(devices.joined(separator: "; "))."
    }
}
