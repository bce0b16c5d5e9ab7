import Compute
import Experiments
import FID
import Foundation

/// The statistics of `fid:` reference folders, computed once and kept in the cache folder as
/// `fid-reference-<digest>.npz` under the digest of the weights and of the folder's images: every later build,
/// shard assembly or `--cached-only` build reads them back instead of running Inception over the set again.
/// A reference `.npz` is read as it is.
struct FIDReferenceCache {
    let cache: ResultCache

    func statistics(_ setting: FIDSetting, backend: any Backend) throws -> FIDStatistics {
        if setting.referenceIsStatistics { return try FIDReference.statistics(setting, backend: backend) }
        let digests = cache.loadFileDigests()
        var hasher = SHA256()
        hasher.update("fid-reference\u{0}\(try digests.sha256(of: URL(fileURLWithPath: setting.inception)))\u{0}\(try ModelDigest.fidReference(setting, digests: digests))")
        let url = cache.folder.appendingPathComponent("fid-reference-\(hasher.finalizeHex()).npz")
        if let stored = try? FIDStatistics(contentsOf: url) { return stored }
        let statistics = try FIDReference.statistics(setting, backend: backend)
        // Only an accelerator: a cache folder that refuses it still gives the right statistics.
        try? statistics.write(to: url)
        try? digests.save()
        return statistics
    }
}
