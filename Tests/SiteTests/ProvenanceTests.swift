import BELMTestSupport
import Compute
import Experiments
import Foundation
import Testing
import VulkanCompute
@testable import BELMCommands
@testable import Site

/// A config anywhere finds belm's templates; the reproducibility page names the device, driver and precision
/// and shows the config without the machine's paths.
@Suite struct ProvenanceTests {
    /// A config in a folder of its own, no `templates:` key, built by the real executable run from that
    /// folder: the templates are found the way builtin:shapes-unet is.
    @Test func aConfigInAnyFolderBuildsWithTheBuiltinTemplates() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-anywhere-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SiteBuildTests.Fixture.writeTinySet(to: folder.appendingPathComponent("tiny-set"))
        try """
            title: "Mine"
            models: {tiny: "gmm:tiny-set"}
            experiments:
              - kind: reconstruction
                samplers: [ddim, belm]
                steps: [2]
                count: 1
            """.write(to: folder.appendingPathComponent("belm.yml"), atomically: true, encoding: .utf8)
        let run = try BELMProcess.run(["build", "--config", "belm.yml", "--out", "_site", "--backend", "cpu", "--quiet"], in: folder)
        #expect(run.status == 0, "\(run.errors)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("_site/reconstruction.html").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("_site/assets/site.css").path))
    }

    /// An installed layout (`<prefix>/bin`, `<prefix>/share/belm/Templates`) is found, and a folder without
    /// a layout template is passed over.
    @Test func installedTemplatesAreFoundBesideTheExecutable() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("belm-prefix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let installed = prefix.appendingPathComponent("share/belm/Templates")
        try FileManager.default.createDirectory(at: installed, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("bin/Templates"), withIntermediateDirectories: true)
        try Data("{{{content}}}".utf8).write(to: installed.appendingPathComponent("layout.html.mustache"))
        #expect(BuiltinTemplates.locate(in: [prefix.appendingPathComponent("bin/Templates"), installed]) == installed)
        #expect(BuiltinTemplates.locate(in: [prefix.appendingPathComponent("bin/Templates")]) == nil)
        #expect(BuiltinTemplates.locate() != nil, "the checkout's Templates/ is the last place looked in")
    }

    @Test func publishedPathsAreRelativeToTheConfigAndNeverNameTheHome() {
        let home = "/home/ada"
        func shown(_ path: String, from base: String = "/home/ada/work/site") -> String {
            PublishedPaths.path(path, from: base, home: home)
        }
        #expect(shown("/home/ada/work/site/images") == "images")
        #expect(shown("/home/ada/work/Templates") == "../Templates")
        #expect(shown("~/models/sd15") == "../../models/sd15")
        #expect(shown("/home/bob/models/sd15") == "sd15")
        #expect(shown("/data/models/sd15") == "sd15")
        #expect(shown("/home/ada/models/sd15", from: "/srv/site") == "sd15")
        #expect(shown("/srv/models/x", from: "/srv/site") == "../models/x")
        let config = """
            templates: /home/ada/work/Templates   # see /home/ada/notes.txt
            models:
              sd15: {path: "/home/ada/work/site/models/sd15", fetch: "hf download x --local-dir /home/ada/work/site/models/sd15"}
              tiny: gmm:/home/ada/work/site/tiny
            description: "and/or 1 / 2, https://example.org/a/b"
            """
        let text = PublishedPaths.text(config, configDirectory: "/home/ada/work/site", home: home)
        #expect(!text.contains("/home") && !text.contains("ada"))
        #expect(text.contains("templates: ../Templates   # see ../../notes.txt"))
        #expect(text.contains("{path: \"models/sd15\", fetch: \"hf download x --local-dir models/sd15\"}"))
        #expect(text.contains("tiny: gmm:tiny"))
        #expect(text.contains("description: \"and/or 1 / 2, https://example.org/a/b\""))
    }

    /// What `belm build` publishes about where its numbers came from.
    @Test func theReproducibilityPageNamesTheDeviceAndHidesTheMachinesPaths() throws {
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        let command = try BuildCommand.parse(["--config", fixture.configPath, "--out", fixture.output.path, "--cache", fixture.cache.path, "--backend", "cpu", "--quiet"])
        try command.run()
        let page = try String(contentsOf: fixture.output.appendingPathComponent("reproducibility.html"), encoding: .utf8)
        let compute = ComputeProvenance.of(CPUBackend())
        #expect(page.contains("<th scope=\"row\">device</th><td>\(HTMLText.escape(compute.device))</td>"))
        #expect(page.contains("<th scope=\"row\">precision</th><td>fp32</td>"))
        #expect(page.contains(HTMLText.escape(compute.summary)))
        // The config is shown with its paths relative to its folder: the fixture's absolute templates path
        // becomes the way from the config's folder to the checkout's Templates/.
        let configBlock = try #require(page.range(of: "<pre class=\"config\">")).lowerBound
        let shownConfig = String(page[configBlock...])
        #expect(!shownConfig.contains(SiteBuildTests.repository.path), "the config block shows the machine's path of Templates/")
        #expect(shownConfig.contains("templates: ") && shownConfig.contains("Templates\n"))
    }

    /// The Vulkan backend's provenance names the device and its driver with a version (lavapipe in CI: "llvmpipe
    /// Mesa 22.3.6 (LLVM 15.0.6)"; NVIDIA: "NVIDIA 550.54.15"). Skipped where no Vulkan device is present.
    @Test func aVulkanDeviceIsNamedWithItsDriver() throws {
        guard let backend = try? VulkanBackend() else { return }
        let compute = ComputeProvenance.of(backend)
        #expect(compute.backend == "vulkan" && compute.precision == .fp32)
        #expect(compute.device.hasPrefix(backend.device.name) && compute.device.contains(backend.device.kind.rawValue))
        let driver = try #require(compute.driver)
        #expect(driver.contains(where: \.isNumber) && driver != "version 0.0.0", "\(driver)")
    }
}
