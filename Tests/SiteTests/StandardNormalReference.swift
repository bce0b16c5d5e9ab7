import FID
import Foundation

/// The reference statistics FID site tests compare against when the reference's values do not matter: mu 0 and
/// sigma the identity over the Inception network's 2048 features (a standard normal), written as an .npz.
enum StandardNormalReference {
    static func write(to url: URL, width: Int = FIDInception.featureWidth) throws {
        let identity = (0..<(width * width)).map { $0 % (width + 1) == 0 ? 1.0 : 0 }
        try FIDStatistics(mu: Array(repeating: 0, count: width), sigma: identity).write(to: url)
    }
}
