import Experiments
import Foundation
import Testing
@testable import Site

/// What a site build gives a paper: figures as PDF, SVG and PNG and LaTeX tables, the same bytes on every
/// clean build, and tables that carry metrics.json's numbers.
@Suite struct PaperKitBuildTests {
    static func paperFiles(_ fixture: SiteBuildTests.Fixture) throws -> [String: Data] {
        try fixture.snapshot().filter { $0.key.hasPrefix("figures/") || $0.key.hasPrefix("tables/") }
    }

    @Test func twoCleanBuildsGiveTheSameFiguresAndTables() throws {
        let first = try SiteBuildTests.Fixture(), second = try SiteBuildTests.Fixture()
        defer { first.remove(); second.remove() }
        try first.builder(runner: CountingRunner()).build()
        try second.builder(runner: CountingRunner()).build()
        let a = try Self.paperFiles(first), b = try Self.paperFiles(second)
        for stem in ["figures/reconstruction-mse", "figures/convergence-ode_error"] {
            for suffix in [".pdf", "-wide.pdf", ".svg", ".png"] { #expect(a[stem + suffix] != nil, "missing \(stem + suffix)") }
        }
        #expect(a["figures/reconstruction-round-trip.pdf"] != nil && a["figures/sampling-samples.pdf"] != nil)
        if PopplerTools.available(for: "twoCleanBuildsGiveTheSameFiguresAndTables") {
            for (path, data) in a where path.hasSuffix(".pdf") { #expect(try PopplerTools.problems(data, name: path) == []) }
        }
        #expect(a["tables/all.tex"] != nil && a["tables/reconstruction-mse.tex"] != nil)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, data) in a { #expect(b[path] == data, "\(path) differs between two clean builds") }
    }

    /// Every number of every table, parsed back, is metrics.json's value to the digits shown; the best of
    /// each row is in bold; the structure is booktabs' and all.tex inputs every table.
    @Test func tablesCarryTheMetricsJSONValues() throws {
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        try fixture.builder(runner: CountingRunner()).build()
        let files = try fixture.snapshot()
        let json = try JSONSerialization.jsonObject(with: files["metrics.json"]!) as! [[String: Any]]
        let tables = files.keys.filter { $0.hasPrefix("tables/") && $0 != "tables/all.tex" }.sorted()
        #expect(tables.count >= 6)
        let all = String(decoding: files["tables/all.tex"]!, as: UTF8.self)
        var checked = 0
        for path in tables {
            #expect(all.contains("\\input{\(path.dropLast(4))}\n"), "all.tex misses \(path)")
            let tex = String(decoding: files[path]!, as: UTF8.self)
            for piece in ["\\begin{table}", "\\caption{", "\\label{tab:", "\\toprule\n", "\\midrule\n", "\\bottomrule\n", "\\end{tabular}\n\\end{table}\n"] {
                #expect(tex.contains(piece), "\(path) lacks \(piece)")
            }
            let name = String(path.dropFirst("tables/".count).dropLast(4))
            let header = tex.split(separator: "\n").first { $0.hasPrefix("Steps & ") }!
            let samplers = header.dropLast(3).split(separator: "&").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            let body = tex.components(separatedBy: "\\midrule\n")[1].components(separatedBy: "\\bottomrule")[0]
            for row in body.split(separator: "\n") {
                let cells = row.dropLast(3).split(separator: "&").map { $0.trimmingCharacters(in: .whitespaces) }
                let steps = Int(cells[0])!
                #expect(cells.count == samplers.count + 1)
                for (sampler, cell) in zip(samplers, cells.dropFirst()) {
                    let record = json.first { entry in
                        "\(entry["experiment"]!)-\(entry["metric"]!)" == name && entry["steps"] as? Int == steps
                            && MetricTables.samplerTitle(entry["sampler"] as! String) == sampler
                    }
                    guard let record, let value = record["value"] as? Double else {
                        #expect(cell == "--" || cell == "$\\infty$", "\(path) \(steps) \(sampler): \(cell) without a number in metrics.json")
                        continue
                    }
                    let (shown, unit) = try #require(Self.parse(cell), "\(path): cannot read \(cell)")
                    #expect(abs(shown - value) <= unit / 2 * (1 + 1e-9), "\(path) \(steps) \(sampler): \(cell) is not \(value)")
                    checked += 1
                }
                // Bold cells print the same number, and no plain cell prints it.
                let bold = Set(cells.dropFirst().filter { $0.contains("\\mathbf") }.map { $0.replacingOccurrences(of: "\\mathbf{", with: "").dropLast(2) })
                #expect(bold.count <= 1, "\(path) \(steps): bold cells differ: \(bold)")
                for cell in cells.dropFirst() where !cell.contains("\\mathbf") {
                    #expect(!bold.contains(cell.dropLast()), "\(path) \(steps): \(cell) equals a bold cell but is not bold")
                }
            }
        }
        #expect(checked >= 20)

        // The Paper kit page previews each figure and table with the line to paste, and is in the navigation.
        let kit = String(decoding: files["paper-kit.html"]!, as: UTF8.self)
        for figure in files.keys where figure.hasPrefix("figures/") && figure.hasSuffix(".pdf") {
            let stem = figure.dropLast(4)
            #expect(kit.contains("<code>\\includegraphics") && kit.contains("{\(stem).pdf}</code>"), "paper kit misses \(figure)")
            // A two-column plot is previewed by its one-column SVG, an image figure by a PNG of its PDF.
            let shown = stem.hasSuffix("-wide") ? stem.dropLast(5) : stem
            let previews = ["src=\"\(shown).svg\"", "src=\"\(shown)-pdf.png\""]
            #expect(previews.contains { kit.contains($0) }, "paper kit has no preview of \(figure)")
        }
        for path in tables { #expect(kit.contains("<code>\\input{\(path.dropLast(4))}</code>"), "paper kit misses \(path)") }
        #expect(kit.contains("<code>\\input{tables/all}</code>"))
        let index = String(decoding: files["index.html"]!, as: UTF8.self)
        #expect(index.contains("href=\"paper-kit.html\""))
    }

    /// `$1.30 \times 10^{-13}$` or `$0.0456$` (optionally `\mathbf{…}`) as its value and the unit of its last digit.
    static func parse(_ cell: String) -> (Double, Double)? {
        var text = cell.replacingOccurrences(of: "$", with: "")
        if text.hasPrefix("\\mathbf{") { text = String(text.dropFirst("\\mathbf{".count).dropLast()) }
        let parts = text.components(separatedBy: " \\times 10^{")
        let mantissa = parts[0]
        let exponent = parts.count == 2 ? Int(parts[1].dropLast())! : 0
        guard let m = Double(mantissa) else { return nil }
        let decimals = mantissa.split(separator: ".").count == 2 ? mantissa.split(separator: ".")[1].count : 0
        let scale = pow(10, Double(exponent))
        return (m * scale, pow(10, Double(-decimals)) * scale)
    }

    /// The tables compile in a minimal document with booktabs. texlive is too big for CI's package list, so this
    /// runs where pdflatex and booktabs are installed (Debian: texlive-latex-recommended) and says so otherwise.
    @Test func tablesCompileWithPdfLaTeX() throws {
        guard let pdflatex = PopplerTools.find("pdflatex"), let kpsewhich = PopplerTools.find("kpsewhich"),
              try PopplerTools.run(kpsewhich, ["booktabs.sty"]).status == 0 else {
            print("SKIPPED tablesCompileWithPdfLaTeX: pdflatex with booktabs.sty not found (apt-get install --no-install-recommends texlive-latex-recommended to run it)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-latex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("tables"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let records = [("ddim", 10, 4.5e-6), ("belm", 10, 1.3e-13), ("ddim", 20, 0.0123), ("belm", 20, .infinity), ("edict", 10, 31.4)].map {
            MetricRecord(experiment: "round_trip", model: "m", sampler: $0.0, steps: $0.1, metric: "mse_pixel", value: $0.2, count: 4)
        }
        var files = SiteFiles()
        var kit = PaperKit()
        LaTeXTables.render(records, experiment: "round_trip", title: "Round trips & 100% of the #1 {set} ~ ^_^ \\ here", into: &files, kit: &kit)
        files.add("tables/all.tex", LaTeXTables.all(kit.tables.map(\.path)))
        for (path, data) in files.files { try data.write(to: folder.appendingPathComponent(path)) }
        try "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n\\input{tables/all}\n\\end{document}\n"
            .write(to: folder.appendingPathComponent("paper.tex"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pdflatex)
        process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "paper.tex"]
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "pdflatex: \(output.suffix(2000))")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("paper.pdf").path))
    }

    @Test func numbersAreSetForLaTeX() {
        #expect(LaTeXTables.number(1.3e-13) == "$1.30 \\times 10^{-13}$")
        #expect(LaTeXTables.number(4.5e-6, bold: true) == "$\\mathbf{4.50 \\times 10^{-6}}$")
        #expect(LaTeXTables.number(0.012345) == "$0.0123$")
        #expect(LaTeXTables.number(31.456) == "$31.5$")
        #expect(LaTeXTables.number(9.996) == "$10.0$")
        #expect(LaTeXTables.number(.infinity) == "$\\infty$")
        #expect(LaTeXTables.number(123456) == "$1.23 \\times 10^{5}$")
        #expect(LaTeXTables.escape("A & B_1 {x} 50% #2 ~^\\") == "A \\& B\\_1 \\{x\\} 50\\% \\#2 \\textasciitilde{}\\textasciicircum{}\\textbackslash{}")
        #expect(PaperKitBuildTests.parse("$\\mathbf{4.50 \\times 10^{-6}}$")! == (4.5e-6, 1e-8))
    }
}
