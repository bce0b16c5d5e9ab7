import Compute
import Experiments
import Foundation

/// The real reference-model runner, counting its runs so tests can see that a cached build ran nothing,
/// and optionally claiming fewer kinds (to test how a build refuses a kind its runner cannot run).
struct CountingRunner: ExperimentRunner {
    var base = ModelExperimentRunner(batchSize: 4)
    var kinds: Set<ExperimentKind>?
    let runs = RunCounter()

    final class RunCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        func add(_ name: String) { lock.lock(); names.append(name); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return names }
    }

    var codeVersion: String { base.codeVersion }
    var supportedKinds: Set<ExperimentKind> { kinds ?? base.supportedKinds }
    func modelDigest(_ model: String, digests: FileDigests) throws -> String { try base.modelDigest(model, digests: digests) }

    func run(_ request: ExperimentRequest, backend: any Backend, progress: @escaping @Sendable (ExperimentProgress) -> Void) throws -> ExperimentResult {
        runs.add(request.name)
        return try base.run(request, backend: backend, progress: progress)
    }
}
