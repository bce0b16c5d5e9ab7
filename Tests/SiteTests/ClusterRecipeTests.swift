import Foundation
import Testing
import Yams

/// The cluster recipes in site/examples/cluster: shell scripts bash can parse, Kubernetes Jobs whose shard
/// count and indices agree with what `belm build --shard auto` reads.
@Suite struct ClusterRecipeTests {
    static let folder = SiteBuildTests.repository.appendingPathComponent("site/examples/cluster")

    @Test(arguments: ["slurm-array.sbatch", "slurm-assemble.sbatch", "several-gpus.sh"])
    func scriptsParse(_ name: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-n", Self.folder.appendingPathComponent(name).path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "bash -n \(name)")
        let text = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
        #expect(text.contains(name == "slurm-assemble.sbatch" ? "--cached-only" : "--shard"))
    }

    @Test func theIndexedJobTellsEachPodTheShardCount() throws {
        let job = try #require(try Yams.load(yaml: String(contentsOf: Self.folder.appendingPathComponent("kubernetes-indexed-job.yaml"), encoding: .utf8)) as? [String: Any])
        #expect(job["kind"] as? String == "Job")
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = try #require(spec["completions"] as? Int)
        let container = try #require((((spec["template"] as? [String: Any])?["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first)
        let env = (container["env"] as? [[String: Any]]) ?? []
        #expect(env.contains { $0["name"] as? String == "BELM_SHARDS" && $0["value"] as? String == String(completions) })
        #expect((container["command"] as? [String])?.suffix(2) == ["--shard", "auto"])

        let assemble = try #require(try Yams.load(yaml: String(contentsOf: Self.folder.appendingPathComponent("kubernetes-assemble-job.yaml"), encoding: .utf8)) as? [String: Any])
        let assembleContainer = try #require((((((assemble["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first))
        #expect((assembleContainer["command"] as? [String])?.contains("--cached-only") == true)
    }
}
